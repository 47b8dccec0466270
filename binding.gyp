{
  "targets": [
    {
      # The trampoline (native/trampoline/): a small static executable that the addon embeds
      # (native/trampoline_image.cc) and runs from a sealed memfd, so the package stays one .node
      # file per architecture. Built by a script of its own: see there why.
      "target_name": "nsjoin-trampoline",
      "type": "none",
      "conditions": [
        ["OS=='linux'", {
          "actions": [{
            "action_name": "build_trampoline",
            "inputs": ["native/trampoline/build.sh", "native/spawn_spec.h", "<!@(ls -1 native/trampoline/*.cc native/trampoline/*.h)"],
            "outputs": ["<(PRODUCT_DIR)/nsjoin-trampoline"],
            "action": ["sh", "native/trampoline/build.sh", "<(PRODUCT_DIR)/nsjoin-trampoline", "<!@(ls -1 native/trampoline/*.cc)"]
          }]
        }]
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
