#include "router/privacy/party_identifier.h"

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace wissel::privacy {
namespace {

constexpr size_t kBsnDigits = 9;
constexpr size_t kKvkDigits = 8;
constexpr size_t kVestigingsnummerDigits = 12;
constexpr size_t kE164MinDigits = 8;
constexpr size_t kE164MaxDigits = 15;
constexpr size_t kNationalDigits = 10;  // "0" and 9 more
constexpr size_t kEmailMaxLocalPart = 64;
constexpr size_t kEmailMaxLength = 254;

bool AllDigits(absl::string_view value) {
  for (char c : value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Checks that `value` is exactly `digits` ASCII digits; `what` names the identifier in the
// message. The message mentions the length, never the value.
absl::Status ValidateDigits(absl::string_view what, absl::string_view value, size_t digits) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  if (!AllDigits(value)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must contain only digits 0-9"));
  }
  if (value.size() != digits) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be exactly ", digits, " digits, got ", value.size()));
  }
  return absl::OkStatus();
}

// The 11-proef used by BSN and RSIN: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by 11.
absl::Status ValidateElevenProof(absl::string_view what, absl::string_view value) {
  absl::Status status = ValidateDigits(what, value, kBsnDigits);
  if (!status.ok()) return status;
  if (value.find_first_not_of('0') == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must not be all zeros"));
  }
  int sum = 0;
  for (size_t i = 0; i + 1 < kBsnDigits; ++i) {
    sum += static_cast<int>(kBsnDigits - i) * (value[i] - '0');
  }
  sum -= value[kBsnDigits - 1] - '0';
  if (sum % 11 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(what, " fails the 11-proef (check digit)"));
  }
  return absl::OkStatus();
}

bool IsSeparator(char c) { return c == ' ' || c == '-'; }

}  // namespace

absl::Status ValidateBsn(absl::string_view bsn) { return ValidateElevenProof("BSN", bsn); }

absl::Status ValidateRsin(absl::string_view rsin) { return ValidateElevenProof("RSIN", rsin); }

absl::Status ValidateKvkNumber(absl::string_view kvk_number) {
  return ValidateDigits("KVK number", kvk_number, kKvkDigits);
}

absl::Status ValidateVestigingsnummer(absl::string_view vestigingsnummer) {
  return ValidateDigits("vestigingsnummer", vestigingsnummer, kVestigingsnummerDigits);
}

absl::Status ValidatePhoneNumber(absl::string_view phone_number) {
  return NormalizePhoneNumber(phone_number).status();
}

absl::StatusOr<std::string> NormalizePhoneNumber(absl::string_view phone_number) {
  std::string stripped;
  stripped.reserve(phone_number.size());
  for (char c : phone_number) {
    if (!IsSeparator(c)) stripped.push_back(c);
  }
  if (stripped.empty()) return absl::InvalidArgumentError("phone number is empty");

  if (stripped[0] == '+') {
    absl::string_view digits = absl::string_view(stripped).substr(1);
    if (!AllDigits(digits)) {
      return absl::InvalidArgumentError(
          "phone number may contain only digits after the leading '+', and spaces or dashes");
    }
    if (digits.size() < kE164MinDigits || digits.size() > kE164MaxDigits) {
      return absl::InvalidArgumentError(
          absl::StrCat("phone number in international form must have ", kE164MinDigits, " to ",
                       kE164MaxDigits, " digits after the '+', got ", digits.size()));
    }
    if (digits[0] == '0') {
      return absl::InvalidArgumentError("phone number country code must not start with 0");
    }
    return stripped;
  }

  if (!AllDigits(stripped)) {
    return absl::InvalidArgumentError(
        "phone number may contain only digits, a leading '+', spaces and dashes");
  }
  if (stripped[0] != '0') {
    return absl::InvalidArgumentError(
        "phone number must start with '+' (international) or '0' (national)");
  }
  if (stripped.size() != kNationalDigits) {
    return absl::InvalidArgumentError(
        absl::StrCat("phone number in national form must have ", kNationalDigits,
                     " digits including the leading 0, got ", stripped.size()));
  }
  if (stripped[1] == '0') {
    return absl::InvalidArgumentError(
        "phone number starting with 00 is an international prefix; use the '+' form");
  }
  return absl::StrCat("+31", absl::string_view(stripped).substr(1));
}

absl::Status ValidateEmail(absl::string_view email) {
  if (email.empty()) return absl::InvalidArgumentError("e-mail address is empty");
  if (email.size() > kEmailMaxLength) {
    return absl::InvalidArgumentError(absl::StrCat("e-mail address must be at most ",
                                                   kEmailMaxLength, " bytes, got ", email.size()));
  }
  for (char c : email) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      return absl::InvalidArgumentError(
          "e-mail address must not contain spaces or control characters");
    }
  }
  const size_t at = email.find('@');
  if (at == absl::string_view::npos) {
    return absl::InvalidArgumentError("e-mail address must contain an '@'");
  }
  if (email.find('@', at + 1) != absl::string_view::npos) {
    return absl::InvalidArgumentError("e-mail address must contain exactly one '@'");
  }
  const absl::string_view local = email.substr(0, at);
  const absl::string_view domain = email.substr(at + 1);
  if (local.empty()) {
    return absl::InvalidArgumentError("e-mail address has an empty part before the '@'");
  }
  if (local.size() > kEmailMaxLocalPart) {
    return absl::InvalidArgumentError(
        absl::StrCat("e-mail address part before the '@' must be at most ", kEmailMaxLocalPart,
                     " bytes, got ", local.size()));
  }
  if (domain.find('.') == absl::string_view::npos) {
    return absl::InvalidArgumentError("e-mail address domain must contain a dot");
  }
  if (domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != absl::string_view::npos) {
    return absl::InvalidArgumentError("e-mail address domain has an empty label");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeEmail(absl::string_view email) {
  absl::Status status = ValidateEmail(email);
  if (!status.ok()) return status;
  return absl::AsciiStrToLower(email);
}

}  // namespace wissel::privacy
