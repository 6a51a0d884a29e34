// Print what the Argdown project's own parser reads in a file, as JSON: its statements and
// arguments (title, text, data) and relations (type, from, to), plus any parser errors.
// Usage: node parse.mjs FILE
import { readFileSync } from "node:fs";
import { argdown } from "@argdown/core";

const input = readFileSync(process.argv[2], "utf8");
const response = argdown.run({ input, process: ["parse-input", "build-model"], logLevel: "error" });

function element(title, members, extra = {}) {
  // The canonical member, as Argdown's model takes it: the last one given a text.
  const written = [...members].reverse().find((member) => member.text);
  const data = Object.assign({}, ...members.map((member) => member.data || {}));
  return { title, text: written ? written.text : null, data, ...extra };
}

const result = {
  statements: Object.entries(response.statements || {}).map(([title, ec]) =>
    element(title, ec.members, { tags: ec.tags || [] }),
  ),
  // An argument's premise-conclusion structure: each statement's title and role, and the
  // inference rules above a conclusion.
  arguments: Object.entries(response.arguments || {}).map(([title, arg]) =>
    element(title, arg.members, {
      tags: arg.tags || [],
      pcs: (arg.pcs || []).map((statement) => ({
        title: statement.title,
        role: statement.role,
        rules: (statement.inference && statement.inference.inferenceRules) || [],
      })),
    }),
  ),
  relations: (response.relations || []).map((relation) => ({
    type: relation.relationType,
    from: relation.from.title,
    // An undercut points at an inference: named here by its argument's title.
    to: relation.to.title || relation.to.argumentTitle,
  })),
  frontMatter: response.frontMatter || null,
  errors: [...(response.lexerErrors || []), ...(response.parserErrors || [])].map(
    (error) => error.message,
  ),
};
process.stdout.write(JSON.stringify(result, null, 1) + "\n");
