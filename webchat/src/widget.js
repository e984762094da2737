// The website chat widget of the TRD information assistant. A page adds it with one tag:
//   <script src=".../widget.js" defer data-server-url="https://rasa.example.org" data-country="GB"></script>
// (config.js lists the other data- attributes). It talks to Rasa's socket.io channel.
import { readConfig } from "./config.js";
import { connect } from "./connection.js";
import { crisisBanner, isSourceLine, SOURCE_PREFIX, toChoices } from "./messages.js";
import { asPlan } from "./safety_plan.js";
import { loadState, saveState } from "./storage.js";
import { createView } from "./view.js";

const TYPING_AT_MOST_MS = 30000;

function start(config) {
  const state = loadState();
  let connection = null;
  let online = false;
  let reply = []; // the assistant's entries since the person last wrote: a crisis reply and its lines
  let crisisInReply = false; // then what follows it (the next steps) must not scroll its first words away
  let typingTimer;
  let introductionAsked = false; // once a page: a panel opened and closed offline asks only once

  const save = () => saveState(state);
  const view = createView(config, {
    onOpen: () => open(true),
    onClose: close,
    onSend: send,
    onChoice: choose,
    onFoldCrisis: foldCrisis,
    planAnswers: () => state.planAnswers,
    onPlanAnswer: keepPlanAnswer,
  });

  function addEntry(entry) {
    state.entries.push(entry);
    view.add(entry);
    return entry;
  }

  function typing(on) {
    clearTimeout(typingTimer);
    view.typing(on);
    if (on) typingTimer = setTimeout(() => view.typing(false), TYPING_AT_MOST_MS);
  }

  function open(focus) {
    state.open = true;
    save();
    view.open({ focus });
    connection ??= connect({
      serverUrl: config.serverUrl,
      sessionId: () => state.sessionId,
      onSession,
      onMessage: receive,
      onOnline: () => {
        online = true;
        view.online();
      },
      onOffline: () => {
        online = false;
        typing(false);
        view.offline();
      },
    });
    if (!state.entries.length && !introductionAsked) askForIntroduction();
  }

  // The first thing the panel shows is the server's introduction (what the assistant is and is not,
  // where to get help now) with a few topics to start from: Rasa sends it for /start, as for
  // Telegram's Start, so its words live in content/ with every other reply, and the person's first
  // message is then answered without another hello. /start is not the person's words, so it is not
  // shown as theirs; it goes with the page's country like any message.
  function askForIntroduction() {
    introductionAsked = true;
    connection.send("/start", config.metadata);
    if (online) typing(true);
  }

  function close() {
    state.open = false;
    save();
    view.close();
  }

  function onSession(sessionId) {
    state.sessionId = sessionId;
    save();
  }

  function send(message, shown = message) {
    view.dropReplyButtons();
    for (const entry of state.entries) entry.choices &&= entry.choices.filter((choice) => choice.href);
    addEntry({ from: "user", text: shown });
    reply = [];
    crisisInReply = false;
    save();
    connection.send(message, config.metadata);
    if (online) typing(true);
  }

  function choose(choice) {
    send(choice.payload, choice.title);
    view.focusInput();
  }

  function foldCrisis(folded) {
    state.crisisFolded = folded;
    save();
    view.foldCrisis(folded);
  }

  // Kept in the browser only (storage.js): the plan's answers are never part of a message.
  function keepPlanAnswer(index, text) {
    state.planAnswers[index] = text;
    save();
  }

  /** The plan's form goes under the reply that offers it; one plan a conversation, so an earlier
   * form gives way to the new one, which shows the same answers. */
  function showPlan(plan) {
    const last = state.entries[state.entries.length - 1];
    if (!plan || last?.from !== "bot") return;
    for (const entry of state.entries.filter((earlier) => earlier.plan)) {
      delete entry.plan;
      view.removePlan(entry);
    }
    last.plan = plan;
    view.addPlan(last);
    view.reveal(last); // read from the reply's first words, down into the form
  }

  function showCrisis(crisis) {
    // On a small screen the banner starts folded, once the reply is there, rather than folding when
    // the person scrolls or writes: the reply itself lists every line with its call and text links,
    // so the whole banner would only repeat them while pushing the reply's kind first words out of
    // sight, and folding later would move the text under their finger as they read. Folded, a call
    // is still one tap away at the top. Later banners (a country named) keep the fold as it is.
    if (!state.crisis) state.crisisFolded = view.smallScreen();
    state.crisis = crisis;
    view.showCrisis(crisis, state.crisisFolded);
  }

  function receive(message) {
    if (!message || typeof message !== "object") return;
    typing(false);
    if (message.crisis) {
      showCrisis(crisisBanner(message.crisis, reply.map((entry) => entry.text)));
      // Read from its first line ("You matter"), not from wherever the end of it left the log.
      if (reply.length) view.reveal(reply[0]);
      crisisInReply = true;
    } else if (message.safety_plan) {
      showPlan(asPlan(message.safety_plan));
    } else if (typeof message.text === "string") {
      const last = state.entries[state.entries.length - 1];
      let target = last;
      if (isSourceLine(message.text) && last?.from === "bot" && !last.source) {
        last.source = message.text.slice(SOURCE_PREFIX.length);
        view.addSource(last);
      } else {
        target = addEntry({ from: "bot", text: message.text });
        reply.push(target);
      }
      const choices = toChoices(message.quick_replies);
      if (choices.length) {
        target.choices = choices;
        view.addChoices(target);
      }
      if (crisisInReply) view.reveal(reply[0]);
    }
    save();
  }

  state.entries.forEach(view.add);
  if (state.crisis) view.showCrisis(state.crisis, state.crisisFolded);
  if (state.open) open(false);
}

const script = document.currentScript;
if (script && !document.getElementById("trd-chat")) {
  const config = readConfig(script);
  if (!config.serverUrl) console.error("TRD chat widget: add data-server-url (the Rasa server) to its <script> tag.");
  else if (document.body) start(config);
  else document.addEventListener("DOMContentLoaded", () => start(config));
}
