// ESLint for the scripts browsers load as they are (no build step): the chat widget and
// the advisor console's (tickets, inbox, dashboard). `make lint-js` runs it. Plain scripts in
// ES2018, as their headers say.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  {
    files: ["bot/adapters/web/static/widget.js", "bot/adapters/web/console/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2018,
      sourceType: "script",
      globals: { ...globals.browser },
    },
    rules: {
      ...js.configs.recommended.rules,
      // ES2018 has no `catch {}` without a binding: an unused `catch (error)` is not a mistake.
      "no-unused-vars": ["error", { caughtErrors: "none" }],
    },
  },
  {
    files: ["eslint.config.js"],
    ...js.configs.recommended,
    languageOptions: { sourceType: "commonjs", globals: { ...globals.node } },
  },
  { ignores: ["node_modules/", "bot/adapters/web/static/vendor/", ".venv/"] },
];
