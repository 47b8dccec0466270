{
  "targets": [
    {
      # The trampoline (native/trampoline/): a small static executable that the addon embeds
      # (native/trampoline_image.cc) and runs from a sealed memfd, so the package stays one .node
      # file per architecture. Never instrumented: it runs alone, outside Node.
      "target_name": "nsjoin-trampoline",
      "type": "executable",
      "sources": ["<!@(ls -1 native/trampoline/*.cc)"],
      "defines": ["_GNU_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-fno-exceptions", "-fno-rtti", "-fno-asynchronous-unwind-tables",
                    "-ffunction-sections", "-fdata-sections", "-Wall", "-Wextra", "-fno-sanitize=all"],
      "ldflags": ["-static", "-s", "-Wl,--gc-sections", "-fno-sanitize=all"],
      "conditions": [
        ["OS!='linux'", {"type": "none", "sources!": ["<!@(ls -1 native/trampoline/*.cc)"]}]
      ]
    },
    {
      "target_name": "nsjoin",
      "dependencies": ["nsjoin-trampoline"],
      "sources": ["<!@(ls -1 native/*.cc)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "_GNU_SOURCE",
                  "NSJOIN_TRAMPOLINE_PATH=\"nsjoin-trampoline\""],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fno-exceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      # Where .incbin finds the built trampoline.
      "cflags": ["-Wa,-I$(builddir)"],
      "conditions": [
        ["OS!='linux'", {"sources!": ["<!@(ls -1 native/*.cc)"]}]
      ]
    }
  ]
}
