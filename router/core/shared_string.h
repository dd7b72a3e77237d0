// SharedString: an immutable string shared by its copies, for the longer strings a contact
// carries through the core unchanged — its payload (opaque bytes the core keeps and hands back
// unread: the service's serialized record of the contact) and its idempotency key.
//
// Copying a contact — into an effect, into a callback task — shares the bytes instead of
// copying them, so the routing path does not allocate for them; the one allocation happens
// where the string is made (in the service). Thread-safe to copy and read.
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <utility>

namespace wissel::core {

class SharedString {
 public:
  SharedString() = default;
  // Takes the bytes (one allocation, where the string is made).
  SharedString(std::string bytes)  // NOLINT(google-explicit-constructor): it is its bytes
      : bytes_(bytes.empty() ? nullptr : std::make_shared<const std::string>(std::move(bytes))) {}
  SharedString(const char* bytes) : SharedString(std::string(bytes)) {}  // NOLINT

  const std::string& str() const { return bytes_ ? *bytes_ : Empty(); }
  operator const std::string&() const { return str(); }  // NOLINT: reads like the bytes
  bool empty() const { return str().empty(); }
  size_t size() const { return str().size(); }
  bool operator==(const SharedString& other) const { return str() == other.str(); }
  friend std::ostream& operator<<(std::ostream& os, const SharedString& s) {
    return os << "SharedString(" << s.size() << " bytes)";
  }

 private:
  static const std::string& Empty() {
    static const std::string* const kEmpty = new std::string();
    return *kEmpty;
  }
  std::shared_ptr<const std::string> bytes_;
};

// The service's serialized record of a contact.
using Payload = SharedString;

}  // namespace wissel::core
