#include "router/core/decision.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "router/core/channel.h"
#include "router/core/contact.h"
#include "router/core/tenant_config.h"

namespace wissel::core {

absl::string_view DigitalFirstName(DigitalFirst d) {
  switch (d) {
    case DigitalFirst::kNotApplicable:
      return "not_applicable";
    case DigitalFirst::kSteered:
      return "steered_to_digital";
    case DigitalFirst::kOfferedAndRouted:
      return "offered_and_routed";
    case DigitalFirst::kExemptNeed:
      return "exempt_need";
    case DigitalFirst::kExemptWantsPerson:
      return "exempt_wants_person";
  }
  return "";
}

namespace {

absl::string_view StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kLongestIdle:
      return "longest idle";
    case Strategy::kLeastOccupied:
      return "least occupied";
    case Strategy::kBestProficiency:
      return "best proficiency";
    case Strategy::kRoundRobin:
      return "round robin";
  }
  return "";
}

// " (open again 2026-11-24 08:30)", or "" when the channel never opens again.
std::string Reopens(absl::Time next, absl::TimeZone zone) {
  if (next == absl::InfiniteFuture()) return "";
  return absl::FormatTime(" (open again %Y-%m-%d %H:%M)", next, zone);
}

}  // namespace

std::vector<std::string> Decision::Reasons() const {
  std::vector<std::string> out;
  for (const DecisionNote& n : notes) {
    switch (n.kind) {
      case NoteKind::kTopic:
      case NoteKind::kTopicReason:
        out.push_back(absl::StrCat("topic '", *n.name, "' maps to queue '", *n.name2, "'"));
        break;
      case NoteKind::kOutsideDigital:
        out.push_back("outside opening hours: the digital alternative" +
                      Reopens(n.time, time_zone));
        break;
      case NoteKind::kOutsideCallback:
        out.push_back("outside opening hours: a callback request" + Reopens(n.time, time_zone));
        break;
      case NoteKind::kOutsideClosed:
        out.push_back("outside opening hours: closed" + Reopens(n.time, time_zone));
        break;
      case NoteKind::kRuleFired:
        out.push_back(absl::StrCat("rule '", *n.name, "' applied"));
        break;
      case NoteKind::kRoutedByRule:
        out.push_back(absl::StrCat("routed to queue '", *n.name, "' by rule"));
        break;
      case NoteKind::kSteered:
        out.push_back("steered to the digital alternative");
        break;
      case NoteKind::kPriority:
        out.push_back(absl::StrCat("priority ", n.number));
        break;
      case NoteKind::kWorkingDays:
        out.push_back(absl::StrCat("handled within ", n.number, " working days"));
        break;
      case NoteKind::kOffered:
        out.push_back(absl::StrCat("offered to handler '", *n.name, "'"));
        break;
      case NoteKind::kNoHandler:
        out.push_back(absl::StrCat("no available handler with skill '", *n.name, "' on channel ",
                                   ChannelName(n.channel)));
        break;
      case NoteKind::kWaitingFor:
        out.push_back(absl::StrCat("waiting for handler '", *n.name, "' until ",
                                   absl::FormatTime("%H:%M:%S", n.time, time_zone)));
        break;
      case NoteKind::kQueued:
        out.push_back(absl::StrFormat("%s in '%s' at position %d, expected wait %s",
                                      n.flag ? "callback request" : "queued", *n.name, n.number,
                                      absl::FormatDuration(n.duration)));
        break;
      case NoteKind::kTransferred:
        out.push_back(
            absl::StrCat("transferred by handler '", *n.name, "' to queue '", *n.name2, "'"));
        break;
      case NoteKind::kHeldBy:
        out.push_back(absl::StrCat("held by handler '", *n.name, "' (",
                                   ContactStateName(static_cast<ContactState>(n.number)), ")"));
        break;
      default:  // trace only
        break;
    }
  }
  return out;
}

std::vector<TraceStep> Decision::Trace() const {
  std::vector<TraceStep> out;
  for (const DecisionNote& n : notes) {
    switch (n.kind) {
      case NoteKind::kTopic:
        out.push_back({"queue", *n.name2, absl::StrCat("catalogue: topic '", *n.name, "'")});
        break;
      case NoteKind::kHours:
        out.push_back({"hours", std::string(ChannelName(n.channel)),
                       "closed now" + Reopens(n.time, time_zone)});
        break;
      case NoteKind::kRuleFired:
        out.push_back({"rule", *n.name, "fired"});
        break;
      case NoteKind::kExemptNeed:
        out.push_back({"policy", "digitaal_tenzij",
                       absl::StrCat("exempt: a need applies; priority +", n.number)});
        break;
      case NoteKind::kExemptWantsPerson:
        out.push_back({"policy", "digitaal_tenzij", "exempt: the resident asked for a person"});
        break;
      case NoteKind::kSteeredTopic:
        out.push_back({"policy", "digitaal_tenzij", "steered: the topic is done digitally"});
        break;
      case NoteKind::kSteeredWait:
        out.push_back({"policy", "digitaal_tenzij",
                       absl::StrCat("steered: expected wait ", absl::FormatDuration(n.duration),
                                    " exceeds ", absl::FormatDuration(n.duration2))});
        break;
      case NoteKind::kDigitalOffered:
        out.push_back(
            {"policy", "digitaal_tenzij", "digital alternative offered; routed to a person too"});
        break;
      case NoteKind::kContactPerson:
        out.push_back({"policy", "een_contactpersoon",
                       absl::StrCat("contact person '", *n.name, "' is signed in: offered first")});
        break;
      case NoteKind::kDeputy:
        out.push_back({"policy", "een_contactpersoon",
                       absl::StrCat("contact person '", *n.name, "' is absent: deputy '", *n.name2,
                                    "' offered first")});
        break;
      case NoteKind::kNoContactPerson:
        out.push_back({"policy", "een_contactpersoon",
                       absl::StrCat("contact person '", *n.name,
                                    "' and any deputy are absent: to the team")});
        break;
      case NoteKind::kPreferredHandler:
        out.push_back({"rule", *n.name, "preferred handler"});
        break;
      case NoteKind::kReservedFree:
        out.push_back({"candidate", *n.name, "the reserved handler is free"});
        break;
      case NoteKind::kReservedBusy:
        out.push_back(
            {"candidate", *n.name, "the reserved handler is not free: the contact waits for them"});
        break;
      case NoteKind::kCandidate:
        out.push_back(
            {"candidate", *n.name,
             absl::StrFormat("%s of %d proficiency level(s) with a free handler in queue '%s'%s",
                             StrategyName(static_cast<Strategy>(n.number2)), n.number, *n.name2,
                             n.flag ? " (overflow)" : "")});
        break;
      default:  // reasons only
        break;
    }
  }
  return out;
}

}  // namespace wissel::core
