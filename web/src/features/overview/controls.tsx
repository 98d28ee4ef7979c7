/** The dashboard's controls, kept in the URL: range (+ custom from/to) and tz (saved per user). */
import { useQuery } from '@tanstack/react-query';
import { useRouter, useSearch } from '@tanstack/react-router';
import { useMemo } from 'react';
import { meQuery } from '../../api/queries';
import { browserTimeZone } from '../../format';
import { DateRangePicker, type DateRangeValue } from '../../ui/DateRangePicker';
import { TimeZoneSelect } from '../../ui/TimeZoneSelect';
import { periodOf, rangeOf, savedZone, saveZone, todayIn, type DashboardSearch, type Period } from './usage-api';

export interface DashboardControls {
  range: DateRangeValue;
  tz: string;
  period: Period;
  search: Record<string, unknown>;
  setSearch: (patch: Record<string, unknown>) => void;
}

export function useDashboardControls(): DashboardControls {
  const search = useSearch({ strict: false }) as DashboardSearch & Record<string, unknown>;
  const me = useQuery(meQuery);
  const router = useRouter();
  const tz = search.tz ?? savedZone(me.data?.id) ?? browserTimeZone();
  const range = rangeOf(search);
  // The period is computed once per choice (not per render): "Last 24 hours" is stable for 15 minutes.
  const period = useMemo(() => periodOf(range, tz), [range.range, range.from, range.to, tz]); // eslint-disable-line react-hooks/exhaustive-deps
  const setSearch = (patch: Record<string, unknown>) => {
    if (typeof patch.tz === 'string') saveZone(me.data?.id, patch.tz);
    void router.navigate({ to: '.', search: (previous: Record<string, unknown>) => ({ ...previous, ...patch }), replace: true } as never);
  };
  return { range, tz, period, search, setSearch };
}

export function ControlsBar({ controls }: { controls: DashboardControls }) {
  const { range, tz, setSearch } = controls;
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-end gap-4">
        <DateRangePicker
          value={range}
          today={todayIn(tz)}
          onChange={(value) => setSearch({ range: value.range, from: value.range === 'custom' ? value.from : undefined, to: value.range === 'custom' ? value.to : undefined })}
        />
        <TimeZoneSelect value={tz} onChange={(zone) => setSearch({ tz: zone })} />
      </div>
      <p className="text-sm text-muted">Times shown in {tz}</p>
    </div>
  );
}
