use super::*;

#[test]
fn test_error_record_round_trip() {
    for errno in [libc::ENOENT, libc::EACCES, libc::ENOEXEC, libc::E2BIG, 4095] {
        let record = encode_error(errno);
        assert_eq!(record.len(), ERROR_RECORD_LEN);
        assert_eq!(&record[4..], b"CLER");
        assert_eq!(decode_error(&record), Some(errno));
    }
}

#[test]
fn test_error_record_rejects_a_wrong_tag() {
    let mut record = encode_error(libc::ENOENT);
    record[7] = b'X';
    assert_eq!(decode_error(&record), None);
}
