/** Lower case without `_`, `-` and `.`: `pool_size`, `poolSize` and `poolsize` are the same name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[_.-]/g, '');
}

/**
 * The known name a mistyped one was probably meant to be: equal once normalised, or within two
 * edits (one for names under six letters) for names of four letters or more. Undefined when none
 * is close.
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const wanted = normalizeName(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const normal = normalizeName(candidate);
    if (normal === wanted) return candidate;
    if (wanted.length < 4) continue;
    const distance = editDistance(wanted, normal, 3);
    if (distance <= (wanted.length < 6 ? 1 : 2) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Edit distance where swapping two neighbouring letters is one edit, as typing gets it wrong
 * (`szie`), giving up (returning `cap`) once it is certain to reach `cap`.
 */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2]! + 1);
      row.push(value);
      smallest = Math.min(smallest, value);
    }
    if (smallest >= cap) return cap;
    before = previous;
    previous = row;
  }
  return Math.min(cap, previous[b.length]!);
}
