// Validation and normalisation of the identifiers a resident or business can be known by:
// BSN, RSIN, KVK number, vestigingsnummer, phone number and e-mail address.
//
// These functions sit at the API boundary, before an identifier is turned into a keyed
// pseudonym (see pseudonymizer.h). They are pure functions of their argument and therefore
// thread-safe. Error messages say what is wrong but never repeat the value: an identifier is
// personal data and must not end up in a reply, a log line or a metric label.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::privacy {

// Burgerservicenummer: exactly 9 ASCII digits that pass the 11-proef
// (9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by 11). "000000000" passes the sum but is not
// a number that is ever issued, so it is refused. No spaces, dots or padding are accepted.
// Returns OK or InvalidArgument.
absl::Status ValidateBsn(absl::string_view bsn);

// RSIN (identification number of a legal entity): the same rule as the BSN.
// Returns OK or InvalidArgument.
absl::Status ValidateRsin(absl::string_view rsin);

// Kamer van Koophandel number: exactly 8 ASCII digits. Returns OK or InvalidArgument.
absl::Status ValidateKvkNumber(absl::string_view kvk_number);

// Vestigingsnummer (establishment number): exactly 12 ASCII digits.
// Returns OK or InvalidArgument.
absl::Status ValidateVestigingsnummer(absl::string_view vestigingsnummer);

// A phone number as presented by a caller or typed in a form, in one of two forms, with any
// number of spaces and dashes between the characters:
//   - E.164: "+", then 8 to 15 digits, the first not 0 ("+31 6 1234 5678");
//   - Dutch national: "0", then 9 digits, the first not 0 ("06-12345678", "070 123 4567").
// Returns OK or InvalidArgument.
absl::Status ValidatePhoneNumber(absl::string_view phone_number);

// Validates `phone_number` like ValidatePhoneNumber and returns it in E.164 form without
// separators; a national number gets the country code +31 ("06-12345678" -> "+31612345678").
// Both forms of one number therefore normalise to the same string, which is what the
// pseudonym is computed over. Returns InvalidArgument when the number is not valid.
absl::StatusOr<std::string> NormalizePhoneNumber(absl::string_view phone_number);

// A pragmatic check of an e-mail address, not a full RFC 5322 parser: exactly one "@"; a local
// part of 1 to 64 bytes; a domain that contains a dot, has no empty labels and does not start
// or end with a dot; at most 254 bytes in total; no spaces or control characters. Bytes of 0x80
// and above (UTF-8) are accepted. Returns OK or InvalidArgument.
absl::Status ValidateEmail(absl::string_view email);

// Validates `email` like ValidateEmail and returns it in ASCII lower case, so that
// "Jan.Jansen@Example.NL" and "jan.jansen@example.nl" give the same pseudonym. (The local part
// is case-sensitive in theory; no mail provider a municipality deals with treats it so.)
// Returns InvalidArgument when the address is not valid.
absl::StatusOr<std::string> NormalizeEmail(absl::string_view email);

}  // namespace wissel::privacy
