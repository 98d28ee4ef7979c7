/**
 * The mailed invitation link, /invitations/accept?token=… (WEBAPP.md §6.4): "Join <team> as
 * <role>" with "Accept" and "Decline". Signed-out visitors are sent to login and back here (the
 * app layout). The token goes to the server only in request bodies (lookup, accept, decline), and
 * its lookup is dropped from the cache when the page closes. Anything but the invited user with a
 * pending invitation gets the one "not found" answer.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { api } from '../../api/client';
import type { ApiResponse } from '../../api/types';
import { isApiError } from '../../api/errors';
import { meQuery } from '../../api/queries';
import { Button } from '../../ui/Button';
import { LoadError } from '../../ui/DataRegion';
import { Page } from '../../ui/Page';
import { useToast } from '../../ui/Toast';
import { ServerError } from '../auth/FormParts';
import { ROLE_LABELS, type Role } from './teamData';

export default function InvitationPage() {
  const { token = '' } = useSearch({ strict: false }) as { token?: string };
  const client = useQueryClient();
  const navigate = useNavigate();
  const notify = useToast();
  const me = useQuery(meQuery);
  const preview = useQuery({
    queryKey: ['invitation', token],
    queryFn: ({ signal }) => api<ApiResponse<'/api/invitations/lookup', 'post'>>('/api/invitations/lookup', { body: { token }, signal }),
    enabled: token !== '',
    gcTime: 0,
  });
  const answer = useMutation({
    mutationFn: (accept: boolean) => api<unknown>(accept ? '/api/invitations/accept' : '/api/invitations/decline', { body: { token } }),
    onSuccess: async (_, accept) => {
      const invitation = preview.data;
      if (!invitation) return;
      await client.invalidateQueries({ queryKey: ['teams'] });
      if (accept) {
        notify(`You joined ${invitation.team_name}.`);
        void navigate({ to: '/teams/$teamId', params: { teamId: invitation.team_id } });
      }
    },
  });

  if (token === '' || (preview.isError && isApiError(preview.error) && preview.error.status < 500)) {
    return (
      <Page title="Invitation not found">
        <p>
          This invitation does not exist, has expired, was already answered, or was sent to another address
          {me.data ? ` (you are signed in as ${me.data.email})` : ''}. Ask the team for a new one.
        </p>
        <p>
          <Link to="/" className="text-accent underline">
            Go to Overview
          </Link>
        </p>
      </Page>
    );
  }
  if (preview.isError) {
    return (
      <Page title="Invitation">
        <LoadError what="The invitation" onRetry={() => void preview.refetch()} />
      </Page>
    );
  }
  if (!preview.data) {
    return (
      <Page title="Invitation">
        <p role="status" className="text-sm text-muted">
          Loading…
        </p>
      </Page>
    );
  }
  const invitation = preview.data;
  if (answer.isSuccess && answer.variables === false) {
    return (
      <Page title="Invitation declined">
        <p>You declined to join {invitation.team_name}. The link no longer works.</p>
        <p>
          <Link to="/" className="text-accent underline">
            Go to Overview
          </Link>
        </p>
      </Page>
    );
  }
  return (
    <Page title={`Join ${invitation.team_name} as ${ROLE_LABELS[invitation.role].toLowerCase()}`}>
      <p>
        {invitation.email} is invited to the team {invitation.team_name} as {ROLE_LABELS[invitation.role].toLowerCase()}. Members share the team's provider
        keys, routes and budget.
      </p>
      {answer.error ? <ServerError error={answer.error} /> : null}
      <div className="flex flex-wrap gap-2">
        <Button variant="primary" busy={answer.isPending && answer.variables} onClick={() => answer.mutate(true)}>
          Accept
        </Button>
        <Button busy={answer.isPending && !answer.variables} onClick={() => answer.mutate(false)}>
          Decline
        </Button>
      </div>
    </Page>
  );
}
