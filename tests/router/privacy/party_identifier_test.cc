#include "router/privacy/party_identifier.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::privacy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// One row of a table: an input, whether it is valid, and a fragment the error must contain.
struct Case {
  std::string value;
  bool valid;
  std::string error_fragment;  // only for invalid rows
};

void ExpectTable(absl::Status (*validate)(absl::string_view), const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE("input: \"" + c.value + "\"");
    const absl::Status status = validate(c.value);
    if (c.valid) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
      EXPECT_THAT(status.message(), HasSubstr(c.error_fragment));
      // No personal data in error messages: the value is never echoed.
      if (c.value.size() >= 4) {
        EXPECT_THAT(status.message(), Not(HasSubstr(c.value)));
      }
    }
  }
}

TEST(ValidateBsnTest, Table) {
  ExpectTable(ValidateBsn, {
                               {"111222333", true, ""},
                               {"123456782", true, ""},
                               {"999999990", true, ""},
                               {"123456789", false, "11-proef"},
                               {"111222334", false, "11-proef"},
                               {"000000000", false, "all zeros"},
                               {"", false, "empty"},
                               {"12345678", false, "exactly 9 digits, got 8"},
                               {"1234567820", false, "exactly 9 digits, got 10"},
                               {"12345678a", false, "only digits"},
                               {"123 456 782", false, "only digits"},
                               {"123.456.782", false, "only digits"},
                               {" 123456782", false, "only digits"},
                               {"１２３４５６７８２", false, "only digits"},  // full-width digits
                           });
}

TEST(ValidateBsnTest, EmbeddedNulIsNotADigit) {
  const std::string with_nul("12345678\0", 9);
  EXPECT_EQ(ValidateBsn(with_nul).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateRsinTest, Table) {
  ExpectTable(ValidateRsin, {
                                {"111222333", true, ""},
                                {"123456782", true, ""},
                                {"123456789", false, "RSIN fails the 11-proef"},
                                {"000000000", false, "all zeros"},
                                {"1234567", false, "exactly 9 digits, got 7"},
                                {"abcdefghi", false, "only digits"},
                            });
}

TEST(ValidateKvkNumberTest, Table) {
  ExpectTable(ValidateKvkNumber, {
                                     {"69599084", true, ""},
                                     {"01234567", true, ""},
                                     {"", false, "empty"},
                                     {"6959908", false, "exactly 8 digits, got 7"},
                                     {"695990840", false, "exactly 8 digits, got 9"},
                                     {"6959908A", false, "only digits"},
                                     {"6959-9084", false, "only digits"},
                                 });
}

TEST(ValidateVestigingsnummerTest, Table) {
  ExpectTable(ValidateVestigingsnummer, {
                                            {"000038509490", true, ""},
                                            {"123456789012", true, ""},
                                            {"12345678901", false, "exactly 12 digits, got 11"},
                                            {"1234567890123", false, "exactly 12 digits, got 13"},
                                            {"12345678901x", false, "only digits"},
                                            {"", false, "empty"},
                                        });
}

TEST(ValidatePhoneNumberTest, Table) {
  ExpectTable(ValidatePhoneNumber,
              {
                  {"+31612345678", true, ""},
                  {"+31 6 1234 5678", true, ""},
                  {"+49-30-1234567", true, ""},
                  {"+12345678", true, ""},         // 8 digits: the minimum
                  {"+123456789012345", true, ""},  // 15 digits: the maximum
                  {"0612345678", true, ""},
                  {"06-12345678", true, ""},
                  {"070 123 4567", true, ""},
                  {"", false, "empty"},
                  {" - ", false, "empty"},
                  {"+1234567", false, "8 to 15 digits after the '+', got 7"},
                  {"+1234567890123456", false, "8 to 15 digits after the '+', got 16"},
                  {"+0612345678", false, "must not start with 0"},
                  {"++31612345678", false, "only digits after the leading '+'"},
                  {"+31 (0)6 12345678", false, "only digits after the leading '+'"},
                  {"061234567", false, "10 digits including the leading 0, got 9"},
                  {"06123456789", false, "10 digits including the leading 0, got 11"},
                  {"0031612345", false, "international prefix"},
                  {"612345678", false, "must start with '+'"},
                  {"06.12345678", false, "only digits"},
                  {"06\t12345678", false, "only digits"},
              });
}

TEST(NormalizePhoneNumberTest, Table) {
  struct Row {
    std::string input;
    std::string normalized;
  };
  const std::vector<Row> rows = {
      {"+31612345678", "+31612345678"},   {"+31 6 1234 5678", "+31612345678"},
      {"06-12345678", "+31612345678"},    {"06 12 34 56 78", "+31612345678"},
      {"0612345678", "+31612345678"},     {"070 123 4567", "+31701234567"},
      {"+49-30-1234567", "+49301234567"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.input);
    absl::StatusOr<std::string> normalized = NormalizePhoneNumber(row.input);
    ASSERT_TRUE(normalized.ok()) << normalized.status();
    EXPECT_EQ(*normalized, row.normalized);
  }
}

TEST(NormalizePhoneNumberTest, NationalAndInternationalFormsAgree) {
  EXPECT_EQ(NormalizePhoneNumber("06-12345678").value(),
            NormalizePhoneNumber("+31 6 12345678").value());
}

TEST(NormalizePhoneNumberTest, InvalidIsInvalidArgument) {
  EXPECT_EQ(NormalizePhoneNumber("12345").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateEmailTest, Table) {
  const std::string local_64(64, 'a');
  const std::string local_65(65, 'a');
  // 64 + 1 + 189 = 254 bytes, and one more.
  const std::string domain_189 = std::string(185, 'b') + ".nl" + "l";
  const std::string domain_190 = domain_189 + "l";
  ExpectTable(ValidateEmail, {
                                 {"jan.jansen@example.nl", true, ""},
                                 {"j@x.nl", true, ""},
                                 {"Jan+kcc@sub.gemeente.example.nl", true, ""},
                                 {"zoë@example.nl", true, ""},  // UTF-8 local part
                                 {local_64 + "@example.nl", true, ""},
                                 {local_64 + "@" + domain_189, true, ""},
                                 {"", false, "empty"},
                                 {"jan.example.nl", false, "must contain an '@'"},
                                 {"jan@@example.nl", false, "exactly one '@'"},
                                 {"jan@example@nl", false, "exactly one '@'"},
                                 {"@example.nl", false, "empty part before the '@'"},
                                 {local_65 + "@example.nl", false, "at most 64 bytes, got 65"},
                                 {local_64 + "@" + domain_190, false, "at most 254 bytes, got 255"},
                                 {"jan@localhost", false, "domain must contain a dot"},
                                 {"jan@", false, "domain must contain a dot"},
                                 {"jan@.example.nl", false, "empty label"},
                                 {"jan@example.nl.", false, "empty label"},
                                 {"jan@example..nl", false, "empty label"},
                                 {"jan jansen@example.nl", false, "spaces or control characters"},
                                 {"jan@example.nl\n", false, "spaces or control characters"},
                                 {std::string("jan\0@example.nl", 16), false, "control characters"},
                                 {"jan\x7f@example.nl", false, "control characters"},
                             });
}

TEST(NormalizeEmailTest, LowerCasesAscii) {
  EXPECT_EQ(NormalizeEmail("Jan.Jansen@Example.NL").value(), "jan.jansen@example.nl");
  EXPECT_EQ(NormalizeEmail("no-at-sign").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wissel::privacy
