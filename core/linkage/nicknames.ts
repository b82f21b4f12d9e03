/**
 * Nickname equivalence for given names, from core/reference/nicknames.ts. Formal names that
 * share a nickname (Alexander, Alexandra and Alejandro all give Alex) form one group, since a
 * record saying ALEX could be any of them; every name in a group maps to one canonical form.
 * That form is a key to compare on, not the person's name: the group's alphabetically first
 * formal name, so that reordering the reference list changes no result.
 */
import { NICKNAMES } from '../reference/nicknames';

/** Standardized (upper-case) given name → its group's canonical form, for names that are not their own. */
export function canonicalGivenNames(): ReadonlyMap<string, string> {
  const groups = new Map<string, ReadonlySet<string>>();
  for (const [formal, nicknames] of Object.entries(NICKNAMES)) {
    // The reference names are plain ASCII letters, so upper-casing is their whole standardization.
    const names = [formal, ...nicknames].map((n) => n.toUpperCase());
    const merged = new Set(names.flatMap((n) => [...(groups.get(n) ?? [n])]));
    for (const name of merged) groups.set(name, merged);
  }
  const formalNames = new Set(Object.keys(NICKNAMES).map((n) => n.toUpperCase()));
  const canonical = new Map<string, string>();
  for (const name of [...groups.keys()].sort()) {
    const form = [...(groups.get(name) ?? [])].filter((n) => formalNames.has(n)).sort()[0] as string;
    if (form !== name) canonical.set(name, form);
  }
  return canonical;
}
