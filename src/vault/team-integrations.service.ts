/**
 * Team secrets: the personal integrations service with a team as owner, behind the team's roles.
 * Members may list and read (masked) views and their requests use the keys; owners and admins
 * store, change, disable, re-enable and delete them. A non-member gets 404 for the team and every secret under it.
 */
import type { IntegrationHealth } from './integration-health.js';
import type { Actor, IntegrationInput, IntegrationPatch, IntegrationsService } from './integrations.service.js';

type TeamRole = 'owner' | 'admin' | 'member';

export interface TeamIntegrationsDeps {
  integrations: IntegrationsService;
  /** 404 unless the user is a member, 403 unless they hold at least `minimum`. */
  access: { requireTeamRole(teamId: string, userId: string, minimum: TeamRole): Promise<TeamRole> };
  /** Key checks (on save and on test). */
  health?: Pick<IntegrationHealth, 'check' | 'checkAfterSave'>;
}

export function createTeamIntegrationsService({ integrations, access, health }: TeamIntegrationsDeps) {
  const team = (teamId: string) => ({ kind: 'team', id: teamId }) as const;
  return {
    async listTeamIntegrations(userId: string, teamId: string, page: { limit: number; cursor?: string }) {
      await access.requireTeamRole(teamId, userId, 'member');
      return integrations.listIntegrations(team(teamId), page);
    },
    async getTeamIntegration(userId: string, teamId: string, id: string) {
      await access.requireTeamRole(teamId, userId, 'member');
      return integrations.getIntegration(team(teamId), id);
    },
    async storeTeamIntegration(actor: Actor, teamId: string, input: IntegrationInput) {
      await access.requireTeamRole(teamId, actor.userId, 'admin');
      const saved = await integrations.storeIntegration(actor, team(teamId), input);
      return health ? health.checkAfterSave(team(teamId), saved) : saved;
    },
    async updateTeamIntegration(actor: Actor, teamId: string, id: string, patch: IntegrationPatch) {
      await access.requireTeamRole(teamId, actor.userId, 'admin');
      const saved = await integrations.updateIntegration(actor, team(teamId), id, patch);
      return health ? health.checkAfterSave(team(teamId), saved, patch) : saved;
    },
    /** Runs the key check now (any member: members use the key and may see whether it works). */
    async testTeamIntegration(actor: Actor, teamId: string, id: string) {
      await access.requireTeamRole(teamId, actor.userId, 'member');
      if (!health) throw new Error('integration health is not configured');
      return health.check(team(teamId), id);
    },
    async disableTeamIntegration(actor: Actor, teamId: string, id: string, reason?: string) {
      await access.requireTeamRole(teamId, actor.userId, 'admin');
      return integrations.disableIntegration(actor, team(teamId), id, reason);
    },
    async enableTeamIntegration(actor: Actor, teamId: string, id: string) {
      await access.requireTeamRole(teamId, actor.userId, 'admin');
      return integrations.enableIntegration(actor, team(teamId), id);
    },
    async deleteTeamIntegration(actor: Actor, teamId: string, id: string) {
      await access.requireTeamRole(teamId, actor.userId, 'admin');
      return integrations.deleteIntegration(actor, team(teamId), id);
    },
  };
}

export type TeamIntegrationsService = ReturnType<typeof createTeamIntegrationsService>;
