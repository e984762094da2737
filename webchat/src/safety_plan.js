// The safety plan (the six Stanley-Brown steps), as a form inside the assistant's reply. The server
// sends only its words (a custom payload: {safety_plan: {title, note, steps, save, print, file}});
// what the person types stays in this browser, kept with the conversation by storage.js, and is
// never sent: the form has no submit, and nothing here talks to the server. To keep it, the person
// saves it as a plain-text file or prints it.
import { el } from "./dom.js";

const MAX_WORDS_CHARS = 400; // the longest title or hint a plan may carry
const MAX_ANSWER_CHARS = 4000;
// While printing, the host page is hidden so that only the plan comes out on paper.
const PRINT_ONLY_THE_PLAN = "@media print { body > :not(#trd-chat) { display: none !important; } }";

let plans = 0; // each form's fields get ids of their own, unique in the widget

const isWords = (value) => typeof value === "string" && value.length > 0 && value.length <= MAX_WORDS_CHARS;

/** The plan's words as the server sent them (or storage kept them), or null for anything else. */
export function asPlan(plan) {
  if (!plan || typeof plan !== "object") return null;
  const steps = Array.isArray(plan?.steps) ? plan.steps : [];
  const valid =
    ["title", "note", "save", "print", "file"].every((key) => isWords(plan[key])) &&
    steps.length > 0 &&
    steps.every((step) => isWords(step?.title) && isWords(step?.hint));
  if (!valid) return null;
  const { title, note, save, print, file } = plan;
  return { title, note, save, print, file, steps: steps.map(({ title, hint }) => ({ title, hint })) };
}

/** The typed answers as kept, one string a step (storage may hold anything). */
export function asAnswers(answers) {
  if (!Array.isArray(answers)) return [];
  return answers.map((answer) => (typeof answer === "string" ? answer.slice(0, MAX_ANSWER_CHARS) : ""));
}

/** The plan as plain text: the saved file and the printed page. */
export function planText(plan, answers) {
  const steps = plan.steps.flatMap((step, index) => [
    `Step ${index + 1} – ${step.title}`,
    `(${step.hint})`,
    answers[index]?.trim() || "",
    "",
  ]);
  return [plan.title, "", ...steps].join("\n");
}

function saveAsFile(plan, answers) {
  const url = URL.createObjectURL(new Blob([planText(plan, answers)], { type: "text/plain;charset=utf-8" }));
  el("a", { href: url, download: plan.file }).click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function printPlan(printout, plan, answers) {
  printout.textContent = planText(plan, answers);
  const pageSheet = new CSSStyleSheet();
  pageSheet.replaceSync(PRINT_ONLY_THE_PLAN);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageSheet];
  const restore = () => {
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => sheet !== pageSheet);
  };
  window.addEventListener("afterprint", restore, { once: true });
  window.print();
}

/**
 * The form: a labelled text box for each step, with its hint as the box's description, and the save
 * and print buttons. `answers()` gives the current answers, `onAnswer(index, text)` keeps one.
 */
export function planForm(plan, { answers, onAnswer, printout }) {
  const id = `plan-${++plans}`;
  const steps = plan.steps.map((step, index) => {
    const field = `${id}-step-${index + 1}`;
    const box = el("textarea", {
      id: field,
      rows: "2",
      maxlength: String(MAX_ANSWER_CHARS),
      "aria-describedby": `${field}-hint`,
      oninput: (event) => onAnswer(index, event.target.value),
    });
    box.value = answers()[index] ?? "";
    return el("div", { class: "plan-step" }, [
      el("label", { for: field, text: `${index + 1}. ${step.title}` }),
      el("p", { id: `${field}-hint`, class: "hint", text: step.hint }),
      box,
    ]);
  });
  const actions = el("div", { class: "plan-actions" }, [
    el("button", { type: "button", text: plan.save, onclick: () => saveAsFile(plan, answers()) }),
    el("button", { type: "button", text: plan.print, onclick: () => printPlan(printout, plan, answers()) }),
  ]);
  const form = el("form", { class: "plan", "aria-labelledby": `${id}-title` }, [
    el("h3", { id: `${id}-title`, text: plan.title }),
    el("p", { class: "note", text: plan.note }),
    ...steps,
    actions,
  ]);
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}
