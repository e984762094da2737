// The widget's settings, from data- attributes on its own <script> tag, so that a page needs
// one tag and no inline script (which a Content-Security-Policy would rightly block).
import { isHexColor } from "./colors.js";

const DEFAULTS = {
  title: "Questions about treatment-resistant depression",
  accentColor: "#1d4ed8",
  botColor: "#eef2f7",
};

/** "en-GB" gives language "en" and region "GB"; a bare "en" gives no region. */
function splitLanguageTag(tag) {
  const [language, region] = (tag || "").trim().split(/[-_]/);
  return {
    language: language ? language.toLowerCase() : undefined,
    region: region && /^[a-z]{2}$/i.test(region) ? region.toUpperCase() : undefined,
  };
}

export function readConfig(script) {
  const data = script.dataset;
  const { language, region } = splitLanguageTag(data.language || document.documentElement.lang);
  const country = (data.country || "").trim().toUpperCase() || region;
  return {
    serverUrl: data.serverUrl,
    title: data.title || DEFAULTS.title,
    metadata: { ...(country && { country }), ...(language && { language }) },
    accentColor: isHexColor(data.accentColor) ? data.accentColor.trim() : DEFAULTS.accentColor,
    botColor: isHexColor(data.botColor) ? data.botColor.trim() : DEFAULTS.botColor,
  };
}
