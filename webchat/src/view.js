// The widget's elements: a launcher button and a chat panel in a shadow root, so the host page's
// styles and the widget's cannot leak into each other. The view draws; widget.js decides.
import { chatIcon, el } from "./dom.js";
import { linkHref, textWithLinks } from "./messages.js";
import { planForm } from "./safety_plan.js";
import { stylesheet } from "./styles.js";

const OFFLINE = "You're offline. Reconnecting… Messages you send now will go out when the connection is back.";
// Phones either way up: there the whole crisis banner takes a third of the screen or more.
const SMALL_SCREEN = "(max-width: 480px), (max-height: 500px)";
const REVEAL_GAP_PX = 12; // room left above a revealed message, so it does not start flush with the edge
const FOLD_LABELS = { folded: "Show all crisis lines", unfolded: "Show less" };

function anchor(href, text, className) {
  // Every link passes here: only calls, texts and https pages become one (never javascript: and
  // the like). Web pages open in a new tab without access to this one.
  const safe = linkHref(href);
  if (!safe) return el("span", { class: className, text });
  const external = safe.startsWith("https:");
  return el("a", {
    href: safe,
    class: className,
    text,
    target: external && "_blank",
    rel: external && "noopener noreferrer",
  });
}

function textNodes(text) {
  return textWithLinks(text).map((part) =>
    part.href ? anchor(part.href, part.text) : document.createTextNode(part.text),
  );
}

export function createView(config, { onOpen, onClose, onSend, onChoice, onFoldCrisis, planAnswers, onPlanAnswer }) {
  const host = el("div", { id: "trd-chat" });
  const root = host.attachShadow({ mode: "open" });
  root.adoptedStyleSheets = [stylesheet(config)];

  const launcher = el("button", {
    type: "button",
    class: "launcher",
    "aria-expanded": "false",
    "aria-controls": "panel",
    "aria-label": `Open chat: ${config.title}`,
    onclick: () => (panel.hidden ? onOpen() : onClose()),
  }, [chatIcon(), el("span", { text: "Chat" })]);

  const close = el("button", { type: "button", class: "close", "aria-label": "Close chat", onclick: onClose }, ["×"]);
  const status = el("p", { class: "status", role: "status" });
  // The fold button sits outside the alert: an alert is read out again whenever its text changes,
  // and the button's label changes with every press. It comes first so that, unfolded, it floats on
  // the heading's line (no extra height) and is reached in the order it is seen, top to bottom;
  // folded, it is drawn right of the call link but still reached first, on that one line.
  const crisisAlert = el("div", { id: "crisis-lines", role: "alert" });
  const fold = el("button", {
    type: "button",
    class: "fold",
    "aria-controls": "crisis-lines",
    onclick: () => onFoldCrisis(!banner.classList.contains("folded")),
  });
  const banner = el("div", { class: "crisis", hidden: true }, [fold, crisisAlert]);
  const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  log.tabIndex = 0; // so that a keyboard can scroll the conversation too
  const dots = [el("span"), el("span"), el("span")];
  const typing = el("div", { class: "typing", "aria-hidden": "true", hidden: true }, dots);
  const input = el("input", {
    id: "message",
    type: "text",
    autocomplete: "off",
    maxlength: "2000",
    placeholder: "Type your question",
  });
  const form = el("form", { class: "composer" }, [
    el("label", { for: "message", class: "sr-only", text: "Your message" }),
    input,
    el("button", { type: "submit", text: "Send" }),
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    onSend(text);
  });

  const panelProps = { id: "panel", class: "panel", role: "dialog", "aria-labelledby": "title", hidden: true };
  const panel = el("section", panelProps, [
    el("header", { class: "header" }, [el("h2", { id: "title", text: config.title }), close]),
    status,
    banner,
    log,
    typing,
    form,
  ]);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") onClose();
  });

  // What is printed from the safety plan: shown on paper only, in place of the widget.
  const printout = el("div", { class: "printout", "aria-hidden": "true" });
  root.append(el("div", { class: "root" }, [launcher, panel, printout]));
  document.body.append(host);

  const nodes = new Map();
  const scrollToEnd = () => {
    log.scrollTop = log.scrollHeight;
  };

  function choiceElement(choice) {
    if (choice.href) return anchor(choice.href, choice.title, "choice link");
    return el("button", { type: "button", class: "choice", text: choice.title, onclick: () => onChoice(choice) });
  }

  /** Folded, the banner keeps one way to reach someone: its first call link, else its first link. */
  function keptLink(anchors) {
    return anchors.find((link) => link.getAttribute("href")?.startsWith("tel:")) ?? anchors[0];
  }

  function bubbleOf(entry) {
    return nodes.get(entry).querySelector(".bubble");
  }

  const view = {
    open({ focus }) {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      launcher.setAttribute("aria-label", `Close chat: ${config.title}`);
      scrollToEnd();
      if (focus) input.focus();
    },

    close() {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.setAttribute("aria-label", `Open chat: ${config.title}`);
      launcher.focus();
    },

    focusInput() {
      input.focus();
    },

    add(entry) {
      const bot = entry.from === "bot";
      const who = bot ? "Assistant: " : "You: ";
      const bubble = el("div", { class: "bubble" }, [
        el("p", {}, [el("span", { class: "sr-only", text: who }), ...(bot ? textNodes(entry.text) : [entry.text])]),
      ]);
      const node = el("div", { class: `entry ${entry.from}` }, [bubble]);
      nodes.set(entry, node);
      log.append(node);
      if (entry.source) view.addSource(entry);
      if (entry.plan) view.addPlan(entry);
      if (entry.choices?.length) view.addChoices(entry);
      scrollToEnd();
    },

    addSource(entry) {
      bubbleOf(entry).append(el("p", { class: "source", text: `From: ${entry.source}` }));
      scrollToEnd();
    },

    /** The safety plan's form, under the reply that offers it and above its suggestions. */
    addPlan(entry) {
      const form = planForm(entry.plan, { answers: planAnswers, onAnswer: onPlanAnswer, printout });
      const choices = nodes.get(entry).querySelector(".choices");
      if (choices) choices.before(form);
      else nodes.get(entry).append(form);
    },

    removePlan(entry) {
      nodes.get(entry)?.querySelector(".plan")?.remove();
    },

    addChoices(entry) {
      const choices = entry.choices.map(choiceElement);
      nodes.get(entry).querySelector(".choices")?.remove();
      nodes.get(entry).append(
        el("div", { class: "choices", role: "group", "aria-label": "Suggested replies" }, choices),
      );
      scrollToEnd();
    },

    /** Earlier suggestions no longer fit once the person has moved on; call and text links stay. */
    dropReplyButtons() {
      log.querySelectorAll("button.choice").forEach((button) => button.remove());
      log.querySelectorAll(".choices:empty").forEach((group) => group.remove());
    },

    showCrisis(crisis, folded) {
      const icon = el("span", { class: "icon", "aria-hidden": "true", text: "!" });
      const heading = el("h3", {}, [icon, "Talk to someone now"]);
      const lines = crisis.lines.length && el("ul", {}, crisis.lines.map((line) => el("li", {}, textNodes(line))));
      const anchors = crisis.links.map((link) => anchor(link.href, link.title));
      keptLink(anchors)?.classList.add("kept");
      crisisAlert.replaceChildren(...[heading, lines, el("div", { class: "links" }, anchors)].filter(Boolean));
      view.foldCrisis(folded);
      banner.hidden = false;
      scrollToEnd();
    },

    foldCrisis(folded) {
      banner.classList.toggle("folded", folded);
      fold.setAttribute("aria-expanded", String(!folded));
      fold.textContent = folded ? FOLD_LABELS.folded : FOLD_LABELS.unfolded;
    },

    smallScreen() {
      return window.matchMedia(SMALL_SCREEN).matches;
    },

    /** Scrolls the log back to this entry's first line if it is above the top (the rest can wait). */
    reveal(entry) {
      const top = nodes.get(entry).getBoundingClientRect().top;
      const above = log.getBoundingClientRect().top + REVEAL_GAP_PX - top;
      if (above > 0) log.scrollTop -= above;
    },

    typing(on) {
      typing.hidden = !on;
      if (on) scrollToEnd();
    },

    online() {
      status.textContent = "";
    },

    offline() {
      status.textContent = OFFLINE;
    },
  };
  return view;
}
