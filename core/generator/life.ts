/**
 * What the simulation learns about a person as it goes, for the later stages of their life:
 * education shapes college and wages, enrollment shapes work while studying, teaching decides
 * the employer. Nothing here is written out; it only connects the stages.
 */
import type { County } from '../reference/california';
import type { District } from './directory';

export type EducationLevel = 'none' | 'high_school' | 'certificate' | 'associate' | 'bachelor';

export const EDUCATION_RANK: Readonly<Record<EducationLevel, number>> = {
  none: 0, high_school: 1, certificate: 2, associate: 3, bachelor: 4,
};

export interface Life {
  county: County;
  /** Attainments in the order reached, each from its day on. */
  readonly attainments: Array<{ day: number; level: EducationLevel }>;
  /** Periods enrolled in college, [start, end] days. */
  readonly enrolled: Array<[number, number]>;
  highSchoolGraduation: { day: number; fallYear: number; agComplete: boolean; district: District } | null;
  bachelor: { day: number; cip: string; segment: 'CSU' | 'UC' | 'PRIVATE' } | null;
  /** Academic years (fall year) taught, with the district employing the person. */
  readonly teaching: Array<{ fallYear: number; district: District }>;
  /** Academic years enrolled in each segment, for financial aid. */
  readonly aidYears: Array<{ fallYear: number; segment: 'CCC' | 'CSU' | 'UC' | 'PRIVATE'; institutionCode: string; fullTime: boolean }>;
}

export function newLife(county: County): Life {
  return { county, attainments: [], enrolled: [], highSchoolGraduation: null, bachelor: null, teaching: [], aidYears: [] };
}

export function educationOn(life: Life, day: number): EducationLevel {
  let level: EducationLevel = 'none';
  for (const a of life.attainments) if (a.day <= day && EDUCATION_RANK[a.level] > EDUCATION_RANK[level]) level = a.level;
  return level;
}

export function enrolledOn(life: Life, day: number): boolean {
  return life.enrolled.some(([start, end]) => day >= start && day <= end);
}
