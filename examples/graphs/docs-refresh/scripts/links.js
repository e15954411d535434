#!/usr/bin/env node
// Check the links between pages: every link must name a collected page.
'use strict';
const fs = require('fs');

const [pagesJson, out] = process.argv.slice(2);
if (!pagesJson || !out) {
  console.error('usage: links.js PAGES_JSON OUT_JSON');
  process.exit(2);
}
const { pages } = JSON.parse(fs.readFileSync(pagesJson, 'utf8'));
const known = new Set(pages.map((p) => p.path));
const links = [];
for (const page of pages) {
  for (const target of page.links) links.push({ from: page.path, to: target, ok: known.has(target) });
}
const broken = links.filter((l) => !l.ok).length;
fs.writeFileSync(out + '.tmp', JSON.stringify({ links, broken }, null, 1));
fs.renameSync(out + '.tmp', out);
console.log(`${links.length} links, ${broken} broken`);
