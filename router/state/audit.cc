#include "router/state/audit.h"

#include <openssl/evp.h>

#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wissel::state {

std::string AuditSubject(absl::string_view pseudonym) {
  const std::string input = absl::StrCat("wissel-audit-subject#", pseudonym);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 16));
}

std::vector<std::string> AuditFields(const AuditEntry& entry) {
  std::vector<std::string> fields = {"actor", entry.actor, "action", entry.action};
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    fields.emplace_back(name);
    fields.push_back(value);
  };
  add("contact", entry.contact_id);
  add("subject", entry.subject);
  add("detail", entry.detail);
  return fields;
}

AuditEntry DecodeAuditEntry(absl::string_view id, const std::vector<std::string>& fields) {
  AuditEntry entry;
  entry.id = std::string(id);
  int64_t ms = 0;
  if (absl::SimpleAtoi(id.substr(0, id.find('-')), &ms)) entry.time = absl::FromUnixMillis(ms);
  std::string extra;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields[i];
    const std::string& value = fields[i + 1];
    if (name == "actor") {
      entry.actor = value;
    } else if (name == "action") {
      entry.action = value;
    } else if (name == "contact") {
      entry.contact_id = value;
    } else if (name == "subject") {
      entry.subject = value;
    } else if (name == "detail") {
      entry.detail = value;
    } else {
      absl::StrAppend(&extra, extra.empty() ? "" : " ", name, "=", value);
    }
  }
  if (!extra.empty()) absl::StrAppend(&entry.detail, entry.detail.empty() ? "" : " ", extra);
  return entry;
}

}  // namespace wissel::state
