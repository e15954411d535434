#!/usr/bin/env node
// Summarise the refresh: pages, words, index size and link health, as report.json.
'use strict';
const fs = require('fs');

const [pagesJson, linksJson, indexJson, out, maxBroken] = process.argv.slice(2);
const read = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
const { pages } = read(pagesJson);
const { broken, links } = read(linksJson);
const index = read(indexJson);
const report = {
  pages: pages.length,
  words: pages.reduce((n, p) => n + p.words, 0),
  terms: Object.keys(index.terms).length,
  links: links.length,
  broken_links: broken,
  healthy: broken <= Number(maxBroken || 0),
};
fs.writeFileSync(out + '.tmp', JSON.stringify(report, null, 1));
fs.renameSync(out + '.tmp', out);
console.log(JSON.stringify(report));
if (!report.healthy) {
  console.error(`${broken} broken link(s), more than the ${maxBroken} allowed`);
  process.exit(3);
}
