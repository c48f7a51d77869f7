// Rows of a compressed-row matrix that use the same inputs, grouped for the combine kernel
// (asm/combine.ts): the rows of a group share every input load. A dense layer's rows all share
// one column list; a convolution's filters share the window of each output position.

/** Group sizes the kernel has register tiles for, largest first. */
const groupSizes = [4, 2, 1] as const;

/** Rows partitioned into groups: group g holds rows[starts[g] .. starts[g + 1]). */
export interface RowGroups {
  readonly rows: Int32Array;
  readonly starts: Int32Array;
}

/**
 * Groups of 4, 2 or 1 rows whose column lists are identical (same columns in the same order;
 * empty rows form one class too). Classes appear in the order of their first row, rows in
 * ascending order; each class is cut into as many groups of 4 as it holds, then 2, then 1.
 * Precondition: `rowStart` is a valid compressed-row start array for `columns`.
 */
export function groupRows(rowStart: Int32Array, columns: Int32Array): RowGroups {
  const rows = rowStart.length - 1;
  const classes = new Map<string, number[]>();
  for (let j = 0; j < rows; j++) {
    const key = columns.subarray(rowStart[j]!, rowStart[j + 1]!).join(",");
    const members = classes.get(key);
    if (members === undefined) classes.set(key, [j]);
    else members.push(j);
  }
  const ordered = new Int32Array(rows);
  const starts: number[] = [0];
  let filled = 0;
  for (const members of classes.values()) {
    let next = 0;
    for (const size of groupSizes) {
      for (; members.length - next >= size; next += size) {
        ordered.set(members.slice(next, next + size), filled);
        filled += size;
        starts.push(filled);
      }
    }
  }
  return { rows: ordered, starts: Int32Array.from(starts) };
}
