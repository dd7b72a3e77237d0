// Cookies as the dashboard uses them: reading one value from a request's Cookie header, and the
// Set-Cookie values of the login session (RFC 6265). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::dashboard {

// The value of cookie `name` in a Cookie header ("a=1; b=2"); nullopt when it is not there. The
// first of several with the same name (the most specific path, as browsers send them).
std::optional<std::string> CookieValue(absl::string_view cookie_header, absl::string_view name);

// "NAME=VALUE; Path=/; Max-Age=N; HttpOnly; Secure; SameSite=Strict": not readable by scripts,
// sent only over HTTPS (or to a loopback address) and never with a request another site starts.
std::string SessionCookie(absl::string_view name, absl::string_view value, absl::Duration max_age);

// The same cookie, expired (logout).
std::string ExpiredCookie(absl::string_view name);

}  // namespace wissel::dashboard
