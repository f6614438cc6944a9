// Original file: pkg/cri/api.proto


export interface FilesystemIdentifier__Input {
  'mountpoint'?: (string);
}

export interface FilesystemIdentifier {
  'mountpoint': (string);
}
