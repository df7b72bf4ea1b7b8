/**
 * Single-record CSV splitting as `go-csvvalue.Fields` does it for `--mount` and `--device`
 * values: comma-separated fields, RFC 4180 quoting, a quote inside an unquoted field is an
 * error.
 */

/** Splits `value` into fields; returns an error text (Go's `csv.ParseError` form) on bad quoting. */
export function csvFields(value: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  const n = value.length;
  for (;;) {
    if (value.charCodeAt(i) === 0x22) {
      // quoted field
      let field = '';
      let j = i + 1;
      for (;;) {
        const q = value.indexOf('"', j);
        if (q < 0) return `parse error on line 1, column ${n + 1}: extraneous or missing " in quoted-field`;
        field += value.slice(j, q);
        if (value.charCodeAt(q + 1) === 0x22) {
          field += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      if (j < n && value.charCodeAt(j) !== 0x2c) {
        return `parse error on line 1, column ${j + 1}: extraneous or missing " in quoted-field`;
      }
      fields.push(field);
      if (j >= n) return fields;
      i = j + 1;
      continue;
    }
    let j = value.indexOf(',', i);
    if (j < 0) j = n;
    const field = value.slice(i, j);
    const q = field.indexOf('"');
    if (q >= 0) return `parse error on line 1, column ${i + q + 1}: bare " in non-quoted-field`;
    fields.push(field);
    if (j >= n) return fields;
    i = j + 1;
  }
}
