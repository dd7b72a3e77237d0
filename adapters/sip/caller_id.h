// The caller's number (the party of a phone contact) from an INVITE. The number is personal
// data: it goes to the router, which pseudonymises it, and is never logged.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "adapters/sip/sip_message.h"

namespace wissel::adapters::sip {

// A plausible phone number in the forms Party.phone_number accepts: "+" and 8..15 digits
// (country code not starting with 0), or the Dutch national form "0" + 9 digits (not "00").
// Spaces, '-', '.', '(' and ')' are removed; "00" + digits becomes "+" + digits. nullopt for
// anything else ("anonymous", extensions, SIP user names).
std::optional<std::string> NormalizeCallerNumber(absl::string_view user);

// The caller's number: from P-Asserted-Identity when `trust_asserted_identity` and present,
// else from the From URI (sip: user part or tel: number). nullopt: route as anonymous.
std::optional<std::string> CallerNumber(const osip_message_t& invite, bool trust_asserted_identity);

}  // namespace wissel::adapters::sip
