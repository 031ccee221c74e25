# Man pages of the key layer's file formats.
dist_man_MANS += doc/wrapped-passphrase.5
