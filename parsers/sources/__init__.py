"""Evidence image readers: raw, split raw, EWF, AFF and the libyal virtual disks."""
