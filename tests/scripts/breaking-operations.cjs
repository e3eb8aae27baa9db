// Compares two OpenAPI documents with api-smart-diff and prints, as JSON, each operation
// ("METHOD /path") that has a breaking difference, with the kinds of those differences
// ("<action> <section> <what>", e.g. "remove responses property").
// Usage: node breaking-operations.cjs OLD.json NEW.json (api-smart-diff on NODE_PATH).
const fs = require('fs');
const { apiCompare } = require('api-smart-diff');

const [before, after] = process.argv.slice(2).map((p) => JSON.parse(fs.readFileSync(p, 'utf8')));
const { diffs } = apiCompare(before, after);

const operations = {};
for (const { path, action, type } of diffs) {
  if (type !== 'breaking' || path[0] !== 'paths' || path.length < 3) continue;
  const operation = `${String(path[2]).toUpperCase()} ${path[1]}`;
  const [last, parent] = [path[path.length - 1], path[path.length - 2]];
  const what = typeof last === 'number' ? parent : parent === 'properties' ? 'property' : last;
  const kind = path.length === 3 ? `${action} operation` : `${action} ${path[3]} ${what}`;
  (operations[operation] ??= new Set()).add(kind);
}
const out = {};
for (const key of Object.keys(operations).sort()) out[key] = [...operations[key]].sort();
process.stdout.write(JSON.stringify(out, null, 1));
