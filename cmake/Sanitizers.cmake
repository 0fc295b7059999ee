# With TRONIDX_SANITIZE every target (including generated code and tests) is built and linked with
# AddressSanitizer + UndefinedBehaviorSanitizer; UBSan findings abort so a test cannot pass over one.
if(TRONIDX_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
