// The widget's stylesheet, adopted by its shadow root. A constructed stylesheet needs no <style>
// element, so a host page's Content-Security-Policy can keep style-src to 'self'.
import { inkOn, lineOnWhite } from "./colors.js";

const CSS = `
:host { all: initial; }
*, *::before, *::after { box-sizing: border-box; }
.root {
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
  color: #111111;
}
.sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
:focus-visible { outline: 3px solid var(--accent-line); outline-offset: 2px; }

.launcher {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  display: inline-flex; align-items: center; gap: 8px; min-height: 52px; padding: 0 22px 0 18px;
  border: 2px solid var(--accent-ink); border-radius: 999px; background: var(--accent); color: var(--accent-ink);
  font-family: inherit; font-size: 16px; font-weight: 600; line-height: 1; cursor: pointer;
  box-shadow: 0 6px 18px rgba(0, 0, 0, 0.28);
}
.launcher svg { width: 22px; height: 22px; fill: currentColor; }
.launcher:focus-visible { outline: 3px solid var(--accent-line); outline-offset: 3px; box-shadow: 0 0 0 8px #ffffff; }

.panel {
  position: fixed; right: 20px; bottom: 88px; z-index: 2147483000;
  display: flex; flex-direction: column;
  width: min(390px, calc(100vw - 40px)); height: min(640px, calc(100vh - 108px));
  background: #ffffff; color: #111111; border: 1px solid #c4c9d2; border-radius: 16px; overflow: hidden;
  box-shadow: 0 16px 48px rgba(0, 0, 0, 0.3);
}
.panel[hidden] { display: none; }

.header {
  display: flex; align-items: center; gap: 8px; padding: 10px 8px 10px 16px;
  background: var(--accent); color: var(--accent-ink);
}
.header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 650; line-height: 1.3; }
.header :focus-visible { outline-color: var(--accent-ink); }
.close {
  flex: none; width: 44px; height: 44px; border: 0; border-radius: 10px;
  background: transparent; color: inherit; font-family: inherit; font-size: 28px; line-height: 1; cursor: pointer;
}

.status { margin: 0; padding: 8px 16px; background: #fff4c2; color: #3b2a00; font-size: 14px; }
.status:empty { display: none; }

.crisis {
  display: flow-root; padding: 12px 16px 14px; background: #8a1111; color: #ffffff; border-bottom: 4px solid #5c0a0a;
}
.crisis[hidden] { display: none; }
/* Unfolded, the button floats beside the heading, no taller than its line so the list is not pushed. */
.crisis .fold {
  float: right; margin-left: 8px; padding: 4px 10px; border: 2px solid #ffffff; border-radius: 999px;
  background: transparent; color: #ffffff; cursor: pointer;
  font-family: inherit; font-size: 13px; font-weight: 650; line-height: 1.2;
}
/* Folded: one line, the kept call link on the left and the button to unfold on the right; sized so
   that both fit 360 px (a longer line's name is cut short with an ellipsis, its link still whole). */
.crisis.folded { display: flex; flex-direction: row-reverse; align-items: center; gap: 8px; padding: 8px 12px; }
.crisis.folded .fold { flex: none; float: none; margin: 0; padding: 7px 10px; }
.crisis.folded .links a { padding: 8px 12px; }
.crisis.folded [role="alert"] { flex: 1; min-width: 0; }
.crisis.folded h3, .crisis.folded ul, .crisis.folded .links > :not(.kept) { display: none; }
.crisis.folded .kept { min-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.crisis h3 { margin: 0 0 4px; font-size: 17px; }
.crisis .icon { display: inline-grid; place-items: center; width: 22px; height: 22px; margin-right: 8px;
  border-radius: 50%; background: #ffffff; color: #8a1111; font-size: 15px; vertical-align: 1px; }
.crisis ul { margin: 0 0 10px; padding-left: 20px; font-size: 14px; }
.crisis .links { display: flex; flex-wrap: wrap; gap: 8px; }
.crisis li a { color: inherit; }
.crisis .links a {
  display: inline-block; padding: 8px 14px; border-radius: 999px; background: #ffffff; color: #8a1111;
  font-weight: 700; text-decoration: none;
}
.crisis :focus-visible { outline-color: #ffffff; }

.log {
  flex: 1; min-height: 0; overflow-y: auto; overscroll-behavior: contain; padding: 16px;
  display: flex; flex-direction: column; gap: 14px;
}
.entry { display: flex; flex-direction: column; max-width: 88%; }
.entry.bot { align-self: flex-start; }
.entry.user { align-self: flex-end; align-items: flex-end; }
.bubble { padding: 10px 14px; border-radius: 16px; white-space: pre-line; overflow-wrap: anywhere; }
.bubble p { margin: 0; }
.bubble a { color: inherit; }
.bot .bubble { background: var(--bot); color: var(--bot-ink); border-bottom-left-radius: 4px; }
.user .bubble { background: var(--accent); color: var(--accent-ink); border-bottom-right-radius: 4px; }
.bubble .source {
  margin-top: 8px; padding-top: 6px; border-top: 1px solid currentColor; font-size: 13px; font-style: italic;
}

.choices { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.choice {
  display: inline-block; padding: 7px 14px; border: 2px solid var(--accent-line); border-radius: 999px;
  background: #ffffff; color: var(--accent-line); cursor: pointer; text-align: left;
  font-family: inherit; font-size: 14px; font-weight: 600; line-height: 1.3;
}
a.choice { text-decoration: underline; text-underline-offset: 2px; }
button.choice:hover { background: var(--accent); color: var(--accent-ink); border-color: var(--accent); }

/* The safety plan: a white card in the reply, its hints dark enough to read (WCAG AA on white). */
.plan {
  margin-top: 10px; padding: 12px; border: 1px solid #c4c9d2; border-radius: 12px;
  background: #ffffff; color: #111111; white-space: normal;
}
.plan h3 { margin: 0 0 4px; font-size: 16px; }
.plan .note, .plan .hint { margin: 0 0 8px; font-size: 13px; color: #3d4350; }
.plan-step { margin-top: 10px; }
.plan label { display: block; font-weight: 650; }
.plan .hint { margin: 2px 0 4px; }
.plan textarea {
  display: block; width: 100%; min-height: 3em; padding: 8px; border: 2px solid #5b6270; border-radius: 8px;
  background: #ffffff; color: #111111; font: inherit; resize: vertical;
}
.plan-actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; }
.plan-actions button {
  padding: 8px 14px; border: 0; border-radius: 10px; background: var(--accent); color: var(--accent-ink);
  font-family: inherit; font-size: 14px; font-weight: 650; cursor: pointer;
}
.printout { display: none; }

.typing { display: flex; gap: 5px; padding: 0 16px 10px; }
.typing[hidden] { display: none; }
.typing span {
  width: 8px; height: 8px; border-radius: 50%; background: #5b6270; animation: blink 1.2s infinite ease-in-out;
}
.typing span:nth-child(2) { animation-delay: 0.2s; }
.typing span:nth-child(3) { animation-delay: 0.4s; }
@keyframes blink { 0%, 80%, 100% { opacity: 0.25; } 40% { opacity: 1; } }

.composer { display: flex; gap: 8px; padding: 12px; border-top: 1px solid #c4c9d2; background: #ffffff; }
.composer input {
  flex: 1; min-width: 0; padding: 10px 12px; border: 2px solid #5b6270; border-radius: 10px;
  background: #ffffff; color: #111111; font: inherit;
}
.composer input::placeholder { color: #5b6270; }
.composer input:focus-visible { outline-offset: 1px; }
.composer button {
  flex: none; padding: 0 18px; border: 0; border-radius: 10px;
  background: var(--accent); color: var(--accent-ink); cursor: pointer;
  font-family: inherit; font-size: 15px; font-weight: 650; line-height: 1;
}

/* On a phone the panel takes the whole screen, and its close button replaces the launcher. */
@media (max-width: 480px) {
  .panel { inset: 0; width: 100%; height: 100%; border: 0; border-radius: 0; }
  .launcher[aria-expanded="true"] { display: none; }
}
/* Printing the safety plan: only its text (safety_plan.js hides the host page meanwhile). */
@media print {
  .launcher, .panel { display: none !important; }
  .printout { display: block; white-space: pre-wrap; font: 12pt/1.5 Georgia, serif; color: #000000; }
}
@media (prefers-reduced-motion: reduce) {
  .typing span { animation: none; opacity: 0.7; }
}
`;

export function stylesheet({ accentColor, botColor }) {
  const colours = `:host {
    --accent: ${accentColor}; --accent-ink: ${inkOn(accentColor)}; --accent-line: ${lineOnWhite(accentColor)};
    --bot: ${botColor}; --bot-ink: ${inkOn(botColor)};
  }`;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(colours + CSS);
  return sheet;
}
