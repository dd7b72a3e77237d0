#include <variant>

#include "google/protobuf/util/time_util.h"
#include "router/service/api_convert.h"
#include "router/service/service_context.h"

namespace wissel::service {
namespace {

void Withdrawn(OfferHub& hub, const std::string& tenant, const std::string& handler_id,
               const std::string& contact_id) {
  v1::Offer offer;
  offer.set_kind(v1::Offer::KIND_WITHDRAWN);
  offer.set_contact_id(contact_id);
  hub.Deliver(tenant, handler_id, offer);
}

}  // namespace

void PublishOffers(OfferHub& hub, const std::string& tenant, const core::Router& router,
                   const core::Effect& effect, const AttributePolicies& attributes) {
  if (const auto* offered = std::get_if<core::ContactOffered>(&effect)) {
    const core::Contact* contact = router.FindContact(offered->contact_id);
    // Gone already (cancelled in the same batch): its abandonment withdraws it.
    if (contact == nullptr) return;
    v1::Offer offer;
    offer.set_kind(v1::Offer::KIND_OFFER);
    offer.set_contact_id(offered->contact_id);
    absl::StatusOr<v1::ContactRecord> record =
        ToContactRecord(tenant, *contact, attributes.Get(tenant).get());
    if (record.ok()) {
      record->set_state(v1::CONTACT_STATE_OFFERED);
      record->set_handler_id(offered->handler_id);
      *offer.mutable_contact() = *std::move(record);
    }
    *offer.mutable_expires_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(offered->deadline));
    hub.Deliver(tenant, offered->handler_id, offer);
  } else if (const auto* withdrawn = std::get_if<core::OfferWithdrawn>(&effect)) {
    Withdrawn(hub, tenant, withdrawn->handler_id, withdrawn->contact_id);
  } else if (const auto* abandoned = std::get_if<core::ContactAbandoned>(&effect)) {
    if (!abandoned->handler_id.empty()) {
      Withdrawn(hub, tenant, abandoned->handler_id, abandoned->contact_id);
    }
  }
}

}  // namespace wissel::service
