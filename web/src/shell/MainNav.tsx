import { Link, useSearch } from '@tanstack/react-router';
import { adminLink, navLinks } from './nav';

/** navigation "Main"; links keep the workspace (team) search param. */
export function MainNav({ isAdmin, onNavigate }: { isAdmin: boolean; onNavigate?: () => void }) {
  const search = useSearch({ strict: false }) as { team?: string };
  const links = isAdmin ? [...navLinks, adminLink] : navLinks;
  return (
    <nav aria-label="Main">
      <ul className="flex flex-col gap-1">
        {links.map((link) => (
          <li key={link.to}>
            <Link
              to={link.to}
              search={search.team ? { team: search.team } : {}}
              onClick={onNavigate}
              activeOptions={{ exact: link.to === '/', includeSearch: false }}
              className="flex min-h-11 items-center rounded-md px-3 text-sm hover:bg-raised aria-[current=page]:bg-raised aria-[current=page]:font-semibold"
            >
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
