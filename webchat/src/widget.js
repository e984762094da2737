// The website chat widget of the TRD information assistant. A page adds it with one tag:
//   <script src=".../widget.js" defer data-server-url="https://rasa.example.org" data-country="GB"></script>
// (config.js lists the other data- attributes). It talks to Rasa's socket.io channel.
import { readConfig } from "./config.js";
import { connect } from "./connection.js";
import { crisisBanner, isSourceLine, SOURCE_PREFIX, toChoices } from "./messages.js";
import { loadState, saveState } from "./storage.js";
import { createView } from "./view.js";

const TYPING_AT_MOST_MS = 30000;

function start(config) {
  const state = loadState();
  let connection = null;
  let online = false;
  let replyTexts = []; // the assistant's texts since the person last wrote: a crisis reply's lines
  let typingTimer;

  const save = () => saveState(state);
  const view = createView(config, { onOpen: () => open(true), onClose: close, onSend: send, onChoice: choose });

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
    if (!state.entries.length && config.greeting) addEntry({ from: "bot", text: config.greeting });
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
    replyTexts = [];
    save();
    connection.send(message, config.metadata);
    if (online) typing(true);
  }

  function choose(choice) {
    send(choice.payload, choice.title);
    view.focusInput();
  }

  function receive(message) {
    if (!message || typeof message !== "object") return;
    typing(false);
    if (message.crisis) {
      state.crisis = crisisBanner(message.crisis, replyTexts);
      view.showCrisis(state.crisis);
    } else if (typeof message.text === "string") {
      const last = state.entries[state.entries.length - 1];
      let target = last;
      if (isSourceLine(message.text) && last?.from === "bot" && !last.source) {
        last.source = message.text.slice(SOURCE_PREFIX.length);
        view.addSource(last);
      } else {
        target = addEntry({ from: "bot", text: message.text });
        replyTexts.push(message.text);
      }
      const choices = toChoices(message.quick_replies);
      if (choices.length) {
        target.choices = choices;
        view.addChoices(target);
      }
    }
    save();
  }

  state.entries.forEach(view.add);
  if (state.crisis) view.showCrisis(state.crisis);
  if (state.open) open(false);
}

const script = document.currentScript;
if (script && !document.getElementById("trd-chat")) {
  const config = readConfig(script);
  if (!config.serverUrl) console.error("TRD chat widget: add data-server-url (the Rasa server) to its <script> tag.");
  else if (document.body) start(config);
  else document.addEventListener("DOMContentLoaded", () => start(config));
}
