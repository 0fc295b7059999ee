#include "wire.h"

namespace tronidx::sim::wire {

void append_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void append_len_prefix(std::string& out, uint32_t field, uint64_t len) {
  append_varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  append_varint(out, len);
}

std::optional<uint64_t> read_varint(std::string_view in, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70 && pos < in.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in[pos++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  return std::nullopt;
}

namespace {

Error malformed(const std::string& what) { return make_error(Errc::kInvalidArgument, "BlockExtention bytes: " + what); }

// Skips the value of a field of `wire_type` starting at pos.
Status skip_value(std::string_view in, size_t& pos, uint64_t wire_type) {
  switch (wire_type) {
    case 0:
      if (!read_varint(in, pos)) return malformed("truncated varint");
      return ok_status();
    case 1:
      if (in.size() - pos < 8) return malformed("truncated fixed64");
      pos += 8;
      return ok_status();
    case 2: {
      const auto len = read_varint(in, pos);
      if (!len || *len > in.size() - pos) return malformed("truncated length-delimited field");
      pos += *len;
      return ok_status();
    }
    case 5:
      if (in.size() - pos < 4) return malformed("truncated fixed32");
      pos += 4;
      return ok_status();
    default:
      return malformed("unsupported wire type " + std::to_string(wire_type));
  }
}

}  // namespace

Result<size_t> block_header_offset(std::string_view in) {
  size_t pos = 0;
  std::optional<size_t> header_start;
  while (pos < in.size()) {
    const size_t field_start = pos;
    const auto key = read_varint(in, pos);
    if (!key) return malformed("truncated key");
    const uint64_t field = *key >> 3;
    if (field == 1) {
      if (header_start) return malformed("transactions after the header (non-canonical order)");
    } else if (!header_start) {
      header_start = field_start;
    }
    TRONIDX_TRY(skip_value(in, pos, *key & 7));
  }
  return header_start.value_or(in.size());
}

void append_delimited(std::string& out, std::string_view record) {
  append_varint(out, record.size());
  out.append(record);
}

Result<std::optional<std::string_view>> read_delimited(std::string_view in, size_t& pos) {
  if (pos == in.size()) return std::optional<std::string_view>{};
  const auto len = read_varint(in, pos);
  if (!len || *len > in.size() - pos) {
    return make_error(Errc::kDataLoss, "record at offset " + std::to_string(pos) + " is truncated");
  }
  std::string_view record = in.substr(pos, *len);
  pos += *len;
  return std::optional<std::string_view>{record};
}

}  // namespace tronidx::sim::wire
