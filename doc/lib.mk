dist_man_MANS += doc/libecryptfs.3
