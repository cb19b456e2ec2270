/** The learning-rate schedules of the flow training (training.lr_schedule in madnis.yaml). */

/** Learning rate at a step of a schedule from `initial` to `final` over `steps`. */
export function learningRate(schedule: 'cosine' | 'exponential' | 'constant', initial: number, final: number, step: number, steps: number): number {
  const t = steps > 1 ? Math.min(1, step / (steps - 1)) : 0;
  switch (schedule) {
    case 'constant':
      return initial;
    case 'exponential':
      return initial * (final / initial) ** t;
    case 'cosine':
      return final + (initial - final) * 0.5 * (1 + Math.cos(Math.PI * t));
  }
}
