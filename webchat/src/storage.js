// The conversation (session id, messages, crisis banner and whether it is folded, panel open or
// not) lives in sessionStorage: it survives reloads and moving between pages of the site in the
// same tab, and is forgotten when the tab is closed, because a conversation about mental health on
// a shared computer should not outlive the visit. The safety plan's answers (safety_plan.js) are kept
// here too, and only here, for the same reason: the person keeps them by saving or printing them.

import { asAnswers, asPlan } from "./safety_plan.js";

const KEY = "trd-chat";
const MAX_ENTRIES = 200;

function fresh() {
  return { sessionId: null, open: false, entries: [], crisis: null, crisisFolded: false, planAnswers: [] };
}

function isEntry(entry) {
  return (
    (entry?.from === "bot" || entry?.from === "user") &&
    typeof entry.text === "string" &&
    (entry.source === undefined || typeof entry.source === "string") &&
    (entry.choices === undefined || Array.isArray(entry.choices)) &&
    (entry.plan === undefined || asPlan(entry.plan) !== null)
  );
}

function isCrisis(crisis) {
  return Array.isArray(crisis?.lines) && Array.isArray(crisis.links);
}

/** What was kept, with anything not of the widget's own making left out. */
export function loadState() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY));
    return {
      sessionId: typeof stored.sessionId === "string" ? stored.sessionId : null,
      open: stored.open === true,
      entries: Array.isArray(stored.entries) ? stored.entries.filter(isEntry) : [],
      crisis: isCrisis(stored.crisis) ? stored.crisis : null,
      crisisFolded: stored.crisisFolded === true,
      planAnswers: asAnswers(stored.planAnswers),
    };
  } catch {
    return fresh();
  }
}

export function saveState(state) {
  try {
    const entries = state.entries.slice(-MAX_ENTRIES);
    sessionStorage.setItem(KEY, JSON.stringify({ ...state, entries }));
  } catch {
    // Storage full or blocked: the chat still works, it only will not survive a reload.
  }
}
