/**
 * Cell positions within one physical line of a CSV file, by the same quoting rules as the loader
 * (csv_parse.ts), for pointing at the cell an error names: the web app highlights it in the line it shows. Kept
 * apart from the parser so the page can use it without loading the parser.
 */

/**
 * Where each cell of one physical CSV line lies, as [start, end) offsets into the line, quotes included: commas
 * inside quoted cells do not split, doubled quotes do not close, and a quoted cell left open at the line's end
 * runs to it (its record continues on the next line). For pointing at the cell an error names.
 */
export function lineCellSpans(line: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let pos = 0;
  for (;;) {
    let end: number;
    if (line.charCodeAt(pos) === 34) {
      let q = pos + 1;
      for (;;) {
        q = line.indexOf('"', q);
        if (q < 0 || line.charCodeAt(q + 1) !== 34) break;
        q += 2;
      }
      end = q < 0 ? line.length : line.indexOf(',', q + 1);
    } else end = line.indexOf(',', pos);
    if (end < 0) end = line.length;
    spans.push([pos, end]);
    if (end >= line.length) return spans;
    pos = end + 1;
  }
}
