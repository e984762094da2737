// WCAG 2 contrast. The text on a configured colour is black or white, whichever contrasts more:
// the two contrasts multiply to 21, so the better one is always at least 4.58:1 (AA for any text).

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

export function isHexColor(value) {
  return typeof value === "string" && HEX.test(value.trim());
}

function channels(hex) {
  let digits = hex.trim().slice(1);
  if (digits.length === 3) digits = [...digits].map((d) => d + d).join("");
  return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16) / 255);
}

function luminance(hex) {
  const [r, g, b] = channels(hex).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

export function inkOn(background) {
  return contrast(background, "#000000") >= contrast(background, "#ffffff") ? "#000000" : "#ffffff";
}

/** The colour itself where it reads on white (outlined buttons, focus rings), else black. */
export function lineOnWhite(color) {
  return contrast(color, "#ffffff") >= 4.5 ? color : "#000000";
}
