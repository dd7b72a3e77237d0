// The routing configuration of one tenant (gemeente): its catalogue of topics, its queues and
// the defaults for its handlers.
//
// A plain value type. The YAML loader (router/config) builds it from the operator's file and
// calls Validate() before handing it to a Router; a Router only ever sees a valid config.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "router/core/calendar_config.h"
#include "router/core/channel.h"
#include "router/core/rule_spec.h"
#include "router/core/skill.h"

namespace wissel::core {

// Service phase of a product in the social domain: self-reliance, prevention through
// community partners, or custom provision.
enum class ServicePhase { kNone, kEigenKracht, kPreventie, kMaatwerk };

// The digital way to get a product done ("digitaal, tenzij").
struct DigitalAlternative {
  std::string url;      // e.g. "https://www.wisseloord.nl/paspoort"
  std::string message;  // short text the channel shows or reads out
};

// The service norm of a product on one channel.
struct ServiceNorm {
  std::optional<absl::Duration> answer_within;  // phone, chat, balie: answer within N
  std::optional<int> working_days;              // web form, e-mail: handle within N working days
};

// One entry of the product catalogue (productencatalogus): an onderwerp and where it goes.
struct TopicConfig {
  std::string code;          // e.g. "paspoort"; unique within the tenant
  std::string name;          // human-readable, e.g. "Paspoort aanvragen"
  std::string domain;        // e.g. "burgerzaken", "sociaal_domein"
  std::string queue;         // the queue (team) contacts on this topic go to
  int default_priority = 0;  // 0..100; used when a contact brings none
  ServicePhase phase = ServicePhase::kNone;
  std::optional<DigitalAlternative> digital_alternative;
  // With a digital alternative: whether the contact is still routed to a person after the
  // alternative was offered. Always yes for the "tenzij" needs and for wants_person.
  bool person_after_digital_offer = true;
  // Skills (with minimum proficiency) a handler needs besides the queue's skill.
  std::vector<SkillRequirement> skills;
  PerChannel<ServiceNorm> norms;
  // Contacts on this topic go only to the contact person, the deputy or an authorised team.
  bool confidential = false;
};

// How a queue picks among the handlers that may take a contact.
enum class Strategy { kLongestIdle, kLeastOccupied, kBestProficiency, kRoundRobin };

// One step of a queue's escalation over waiting time (bullseye routing): after `after` in the
// queue, the step's relaxations apply in addition to the earlier steps'.
struct EscalationStep {
  absl::Duration after = absl::ZeroDuration();
  // Accept handlers with at least this proficiency on the required skills.
  std::optional<int> min_proficiency;
  // Also offer the contact to handlers of this queue (overflow), e.g. the general team.
  std::string overflow_queue;
  // Offer the resident a callback instead of waiting longer.
  bool offer_callback = false;
};

// A team's queue. Handlers having `skill` are offered its contacts.
struct QueueConfig {
  std::string name;   // unique within the tenant, e.g. "burgerzaken"
  std::string skill;  // defaults to the queue name
  // Average handling time assumed until real handle times have been observed; feeds the
  // expected wait. Default 5 minutes.
  absl::Duration default_handle_time = absl::Minutes(5);
  // Minimum proficiency on `skill` before escalation relaxes it. Default 1.
  int min_proficiency = 1;
  // Service level target: answer within this time. Default 60 s.
  absl::Duration sla_target = absl::Seconds(60);
  Strategy strategy = Strategy::kLongestIdle;
  std::vector<EscalationStep> escalation;  // ordered by `after`
  // May take confidential contacts of topics routed to it.
  bool authorised_for_confidential = false;
};

// A handler (medewerker) known in advance: the roster operators maintain. Handlers may also sign
// in without being listed; listed ones take their skills and teams from here when they sign in
// without any.
struct HandlerProfile {
  std::string id;
  std::string name;
  std::map<std::string, int> skills;  // skill -> proficiency 1..5
  std::vector<std::string> teams;
  bool active = true;  // an inactive handler is never assigned
  std::string deputy;  // vervanger: takes over as contact person during long absence
  // Where calls and counter visits for this handler are connected (a SIP URI or a desk), unless
  // an operator signs it in with another. The handler cannot set it itself.
  std::string address;
};

struct HandlerDefaults {
  // Contacts a handler holds at once per channel, unless it signs in with its own.
  PerChannel<int> capacity;
  // An offer not accepted within this time is withdrawn; the contact goes back to its place
  // and the handler is set away (it did not answer). Default 20 s.
  absl::Duration offer_timeout = absl::Seconds(20);
  // Wrap-up ends by itself after this time if the handler does not finish it. Default 2 min.
  absl::Duration max_wrap_up = absl::Minutes(2);
  // How channels combine: while a handler holds a contact on channel X, no new offers are made
  // on the channels blocks[X]. Default: a call or a counter visit blocks everything else; chats,
  // web forms and e-mail block nothing.
  PerChannel<std::vector<Channel>> blocks;

  HandlerDefaults() {
    blocks[Channel::kPhone] = {Channel::kChat, Channel::kWebForm, Channel::kEmail, Channel::kBalie};
    blocks[Channel::kBalie] = {Channel::kPhone, Channel::kChat, Channel::kWebForm, Channel::kEmail};
    capacity[Channel::kPhone] = 1;
    capacity[Channel::kChat] = 3;
    capacity[Channel::kWebForm] = 5;
    capacity[Channel::kBalie] = 1;
    capacity[Channel::kEmail] = 5;
  }
};

struct TenantConfig {
  std::string id;    // e.g. "gemeente-wisseloord"
  std::string name;  // e.g. "Gemeente Wisseloord"
  // The tenant's own register names per channel ("Telefoon", "Live chat", ...).
  PerChannel<std::string> channel_names;
  std::vector<TopicConfig> topics;
  std::vector<QueueConfig> queues;
  HandlerDefaults handler_defaults;
  std::vector<HandlerProfile> handlers;
  // Whether handlers not in `handlers` may sign in. Off by default: only the roster's handlers
  // work for a tenant, with the skills the roster gives them.
  bool dynamic_handlers = false;
  CalendarConfig calendar;
  // "Digitaal, tenzij".
  struct DigitalFirstPolicy {
    // Priority added for residents with a "tenzij" need (who always get a person).
    int tenzij_priority_boost = 20;
    // When the expected wait exceeds this, the digital alternative is offered first even to a
    // resident who would otherwise be routed straight to a person (not for "tenzij" needs).
    absl::Duration digital_first_above_wait = absl::Minutes(5);
  } digital_first;
  // "Eén contactpersoon".
  struct ContactPersonPolicy {
    // How long a contact waits for its contact person before going to the team.
    absl::Duration wait_for_contact_person = absl::Seconds(60);
    // How long a (resident, domain) -> handler mapping lasts after it was set.
    absl::Duration mapping_ttl = absl::Hours(24 * 180);
  } contact_person;
  // Satisfaction surveys (klanttevredenheidsonderzoek, KTO): a share of the completed contacts
  // triggers a survey event, never twice for the same resident (by pseudonym) within
  // `quiet_period`. The share is the topic's rate if it has one, else the channel's, else `rate`
  // (but 0 for a confidential topic without its own rate).
  // Which contacts are sampled follows from the contact id alone (SurveySampled), so a replay
  // samples the same ones. Default: no surveys.
  struct SurveyPolicy {
    double rate = 0;
    PerChannel<std::optional<double>> channel_rate;
    std::vector<std::pair<std::string, double>> topic_rate;
    absl::Duration quiet_period = absl::Hours(24 * 90);

    // The share for a contact on `topic` and `channel`, 0..1. A confidential topic (a resident
    // in a vulnerable situation) is never sampled unless `topic_rate` names it.
    double RateFor(const TopicConfig& topic, Channel channel) const;
  } surveys;
  // Aging: a waiting contact's effective priority rises by this many points per minute, so
  // nothing starves behind a stream of higher-priority contacts. Default 1.
  double aging_per_minute = 1.0;
  // Ordered rules; empty means every topic goes to its queue.
  std::vector<RuleSpec> rules;
  // Contact attributes that hold personal data. Their values never reach the core (they are
  // stored encrypted in the payload), and a rule that names one is refused.
  std::vector<std::string> personal_attributes;

  // OK, or InvalidArgument naming the first problem: empty or duplicate codes, a topic whose
  // queue does not exist, a priority outside 0..100, a non-positive duration or capacity < 0.
  absl::Status Validate() const;
  const TopicConfig* FindTopic(const std::string& code) const;
  const QueueConfig* FindQueue(const std::string& name) const;
  const HandlerProfile* FindHandler(const std::string& id) const;
};

// Whether contact `contact_id` falls in a sample of share `rate` (0..1): a stable hash of the id
// against the rate, the same in every process and replay.
bool SurveySampled(const std::string& contact_id, double rate);

}  // namespace wissel::core
