// The audit log's entries: what the router records per tenant about operator actions,
// configuration reloads, contact-person changes, erasures and supervisor reads of contacts, and
// how a resident is named in them.
//
// An entry says who (a caller's label, router/access/principal.h: a certificate name, or a
// token's subject already pseudonymised — never a clear identifier; "router" for the router's
// own changes), what (`action`), when (the time the store gave the entry) and which contact or
// resident. A resident is named by AuditSubject() of their pseudonym, never by the pseudonym or
// an identifier: the log holds nothing the erasure must remove, so an erasure's own entry
// survives it (the proof that it happened), while an auditor who knows the identifier and the
// tenant's secret can still find the entries about that resident. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::state {

// The actions recorded.
inline constexpr absl::string_view kAuditEraseResident = "erase_resident";
inline constexpr absl::string_view kAuditExportResident = "export_resident";
inline constexpr absl::string_view kAuditSetContactPerson = "set_contact_person";
inline constexpr absl::string_view kAuditContactPersonSet = "contact_person_set";
inline constexpr absl::string_view kAuditReadContact = "read_contact";
inline constexpr absl::string_view kAuditConfigReload = "config_reload";
// The actor of the router's own changes (a contact person kept when a contact completed).
inline constexpr absl::string_view kAuditRouterActor = "router";

struct AuditEntry {
  // Given by the store: the entry's id in the log (Redis stream id "<ms>-<seq>") and its time.
  // Ignored when appending.
  std::string id;
  absl::Time time = absl::InfinitePast();
  std::string actor;       // who; required
  std::string action;      // what (the constants above); required
  std::string contact_id;  // which contact, if the action is about one
  std::string subject;     // which resident(s): AuditSubject()s, comma-joined
  // More about the action, "name=value" pairs separated by spaces (e.g. the configuration
  // file's SHA-256, an erasure's counts). Never personal data.
  std::string detail;
};

// How the audit log names the resident (or case) with keyed pseudonym `pseudonym`: the first
// 128 bits of SHA-256("wissel-audit-subject#" + pseudonym), 32 lower-case hex digits. One-way:
// the log cannot lead back to the pseudonym, and a subject never looks like a pseudonym (64
// digits), so a scan for a resident's pseudonyms finds none in the log.
std::string AuditSubject(absl::string_view pseudonym);

// The stream fields of an entry (field, value, field, value, ...): actor, action, and contact,
// subject and detail when not empty.
std::vector<std::string> AuditFields(const AuditEntry& entry);
// An entry from its stream id and fields. Fields other than actor, action, contact, subject and
// detail (an erasure's counts, written by its script) are added to `detail` as "name=value".
// The time comes from the id's milliseconds (InfinitePast when the id is malformed).
AuditEntry DecodeAuditEntry(absl::string_view id, const std::vector<std::string>& fields);

}  // namespace wissel::state
