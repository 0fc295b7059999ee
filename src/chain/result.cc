#include "tronidx/chain/result.h"

namespace tronidx {

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::kInvalidArgument: return "INVALID_ARGUMENT";
    case Errc::kNotFound: return "NOT_FOUND";
    case Errc::kAlreadyExists: return "ALREADY_EXISTS";
    case Errc::kFailedPrecondition: return "FAILED_PRECONDITION";
    case Errc::kOutOfRange: return "OUT_OF_RANGE";
    case Errc::kUnavailable: return "UNAVAILABLE";
    case Errc::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case Errc::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case Errc::kDataLoss: return "DATA_LOSS";
    case Errc::kAborted: return "ABORTED";
    case Errc::kInternal: return "INTERNAL";
    case Errc::kCancelled: return "CANCELLED";
  }
  return "UNKNOWN";
}

bool is_transient(Errc code) noexcept {
  return code == Errc::kUnavailable || code == Errc::kDeadlineExceeded ||
         code == Errc::kResourceExhausted || code == Errc::kAborted;
}

}  // namespace tronidx
