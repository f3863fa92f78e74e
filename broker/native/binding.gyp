{
  "targets": [
    {
      "target_name": "rocketts_native",
      "sources": ["src/addon.c", "src/crc32.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
