// The scheduling profile: which plugins run at which extension point, under which
// schedulerName. A plugin object takes part in every extension point whose method it
// has (as upstream's framework registers one plugin instance at several points).
import type { FilterPlugin, Plugin, PostFilterPlugin, PreFilterPlugin, PreScorePlugin, Profile, ReservePlugin, ScorePlugin } from './framework/types.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

function has<K extends string>(p: Plugin, method: K): p is Plugin & Record<K, (...args: never[]) => unknown> {
  return typeof (p as unknown as Record<string, unknown>)[method] === 'function';
}

/** A Profile from plugin instances, sorted into extension points by the methods they implement, in the given order. */
export function buildProfile(plugins: Plugin[], schedulerName = DEFAULT_SCHEDULER_NAME): Profile {
  const profile: Profile = { schedulerName, preFilter: [], filter: [], postFilter: [], preScore: [], score: [], reserve: [] };
  const seen = new Set<string>();
  for (const p of plugins) {
    if (seen.has(p.name)) throw new Error(`plugin "${p.name}" appears twice in profile ${schedulerName}`);
    seen.add(p.name);
    if (has(p, 'preFilter')) profile.preFilter.push(p as unknown as PreFilterPlugin);
    if (has(p, 'filter')) profile.filter.push(p as unknown as FilterPlugin);
    if (has(p, 'postFilter')) profile.postFilter.push(p as unknown as PostFilterPlugin);
    if (has(p, 'preScore')) profile.preScore.push(p as unknown as PreScorePlugin);
    if (has(p, 'score')) profile.score.push(p as unknown as ScorePlugin);
    if (has(p, 'reserve') && has(p, 'unreserve')) profile.reserve.push(p as unknown as ReservePlugin);
  }
  return profile;
}

/** Accepts what a plugin registry returns (a Profile or a list of plugins) and names it. */
export function toProfile(parts: Profile | Plugin[], schedulerName = DEFAULT_SCHEDULER_NAME): Profile {
  if (Array.isArray(parts)) return buildProfile(parts, schedulerName);
  return { ...parts, schedulerName: schedulerName || parts.schedulerName || DEFAULT_SCHEDULER_NAME };
}

/** A profile with some plugins turned off by name (upstream's profile `plugins.<point>.disabled`, for all points). */
export function withoutPlugins(profile: Profile, disabled: Iterable<string>): Profile {
  const off = new Set(disabled);
  const keep = <T extends Plugin>(list: T[]) => list.filter((p) => !off.has(p.name));
  return {
    schedulerName: profile.schedulerName,
    preFilter: keep(profile.preFilter),
    filter: keep(profile.filter),
    postFilter: keep(profile.postFilter),
    preScore: keep(profile.preScore),
    score: keep(profile.score),
    reserve: keep(profile.reserve),
  };
}
