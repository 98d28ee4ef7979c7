/** Shapes of /api/admin/* the panel shows (docs/api.md "Admin"), as the API documents them. */
import type { Schemas } from '../../api/types';

export type AdminUser = Schemas['AdminUser'];
export type AdminTeam = Schemas['AdminTeam'];
export type AuditEvent = Schemas['AuditEvent'];
/** GET /api/admin/health: breakers and model stats, plus the platform checks the server always adds. */
export type AdminHealth = Schemas['GatewayHealth'];
