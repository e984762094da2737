// What the Rasa socket.io channel sends, turned into what the widget shows. Rasa splits a reply's
// text on blank lines into separate messages and puts its buttons on the last one. A curated answer
// ends with a "From: <article title>" part, its source; a crisis reply is followed, on this channel
// only, by a message {crisis: {subject, emergency, links}} that becomes the pinned banner; the
// safety plan's reply by a message {safety_plan: {...}} that becomes its form (safety_plan.js).

export const SOURCE_PREFIX = "From: ";

const PHONE_LINK = /^(tel|sms):\+?[0-9][0-9-]{1,19}(\?body=[\w%+.-]*)?$/i;

/** The href for a button whose payload is a call, a text or a web page; null for a message button. */
export function linkHref(payload) {
  if (typeof payload !== "string") return null;
  if (PHONE_LINK.test(payload)) return payload;
  try {
    const url = new URL(payload);
    return url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Buttons as choices: {title, href} opens a link, {title, payload} is sent as a message. */
export function toChoices(buttons) {
  if (!Array.isArray(buttons)) return [];
  return buttons
    .filter((button) => button && typeof button.title === "string" && typeof button.payload === "string")
    .map(({ title, payload }) => {
      const href = linkHref(payload);
      return href ? { title, href } : { title, payload };
    });
}

export function isSourceLine(text) {
  return text.startsWith(SOURCE_PREFIX);
}

/** The crisis lines as the reply's text lists them ("- Samaritans: call 116 123 ..."). */
function listedLines(texts) {
  return texts
    .flatMap((text) => text.split("\n"))
    .filter((line) => line.startsWith("- "))
    .map((line) => line.slice(2).trim());
}

/** The banner: the lines with their numbers as the reply wrote them, and its call and text links. */
export function crisisBanner(crisis, replyTexts) {
  return {
    lines: listedLines(replyTexts),
    links: toChoices(crisis.links).filter((choice) => choice.href),
  };
}

/** Splits bot text into plain parts and https links, for rendering as text nodes and anchors. */
export function textWithLinks(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(/https:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: match[0], href: linkHref(match[0]) });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
