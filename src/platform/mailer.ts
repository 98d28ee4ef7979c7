/**
 * Outgoing mail. With SMTP_URL, nodemailer sends through that server; without it (development),
 * each message is written to the log instead, marked as such, so a local user can still click the
 * one-time link. Messages carry nothing secret but that link.
 */
import nodemailer from 'nodemailer';
import type { Logger } from './logger.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl: string | undefined;
  from: string;
  logger: Logger;
}

export function createMailer({ smtpUrl, from, logger }: MailerOptions): Mailer {
  const log = logger.child({ component: 'mail' });
  if (!smtpUrl) {
    log.warn('SMTP_URL is not set: mail is written to this log (development mode), not sent');
    return {
      async send(message) {
        log.info({ mail: { to: message.to, subject: message.subject, text: message.text } }, 'DEVELOPMENT MODE: mail not sent, logged here instead');
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(message) {
      try {
        await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
        log.info({ subject: message.subject }, 'mail sent');
      } catch (error) {
        // The SMTP URL may hold credentials: log the failure's code, never the transport config.
        const code = (error as { code?: string }).code;
        log.error({ code, subject: message.subject }, 'mail could not be sent');
        throw error;
      }
    },
    close() {
      transport.close();
    },
  };
}
