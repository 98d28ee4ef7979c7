/** A real (1x1, RGB) PNG the image fakes serve, and a helper to serve it as a provider CDN would. */
import type { ServerResponse } from 'node:http';

export const FAKE_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';
export const FAKE_PNG = Buffer.from(FAKE_PNG_BASE64, 'base64');

export function sendPng(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(FAKE_PNG.length), 'cache-control': 'max-age=3600' });
  res.end(FAKE_PNG);
}
