// The dashboard's web page, built into the program (no CDN, no files to deploy): the HTML, its
// style sheet and its script, and the login form. Dutch texts; made for keyboards, screen readers
// and high zoom (WCAG 2.1 AA): semantic tables with captions and headers, an aria-live region
// that announces what changed, visible focus, colours of at least 4.5:1, a layout that reflows
// down to 320 CSS pixels, and charts that are SVG drawn by the page's own script, with their
// figures also as a table. The script renders with textContent only (no HTML from data).
#pragma once

#include <string>

namespace wissel::dashboard {

// GET /: the page; its style sheet is /dashboard.css, its script /dashboard.js.
const std::string& DashboardHtml();
const std::string& DashboardCss();
const std::string& DashboardJs();

// The login form (self-contained: inline style, no script). With `rejected`, it says above the
// form (role="alert") that the token was not known.
std::string LoginHtml(bool rejected);

}  // namespace wissel::dashboard
