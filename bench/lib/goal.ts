// Goals are printed, never enforced: a benchmark exits 0 when a goal is missed (a slow run is information, not a
// crash), but the verdict must be impossible to overlook.

export interface GoalCheck {
  name: string;
  met: boolean;
  /** The measured figure against the target, e.g. "0.52 of bare (goal ≥ 0.60)". */
  detail: string;
}

export function printGoals(checks: readonly GoalCheck[]): void {
  for (const check of checks)
    console.log(`${check.met ? 'GOAL MET   ' : 'GOAL MISSED'}  ${check.name}: ${check.detail}`);
  const missed = checks.filter((check) => !check.met).length;
  console.log(missed === 0 ? `\nAll ${checks.length} goals met.` : `\n${missed} of ${checks.length} goals missed.`);
}
