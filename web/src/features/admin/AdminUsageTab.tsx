/**
 * "Usage": the Overview dashboard at global scope (every tenant's requests, from
 * GET /api/admin/usage). This tab is its own lazy chunk already, so the dashboard loads with it.
 */
import { UsageDashboard, type UsageScope } from '../overview/UsageDashboard';

const GLOBAL: UsageScope = { kind: 'global' };

export default function AdminUsageTab() {
  return <UsageDashboard scope={GLOBAL} />;
}
