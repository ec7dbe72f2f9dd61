"""Video containers found on DVR disks: MPEG-PS, DHAV, Annex-B, JPEG."""
