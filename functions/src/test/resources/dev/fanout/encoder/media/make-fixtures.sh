#!/usr/bin/env bash
# Makes the fragmented MP4 fixtures of FragmentedMp4FilesTest with the shipped ffmpeg (run
# `make -C layers/ffmpeg` first), the muxer flags as FfmpegCommands writes them. Committed so the
# unit tests read real ffmpeg output without needing the layer; rerun only to change them, and
# update the facts the test states (taken from ffprobe, an independent reader, as noted there).
set -euo pipefail
cd "$(dirname "$0")"
bin=$(ls -d ../../../../../../../../layers/ffmpeg/build/*/bin | head -1)
# A video chunk: 50 frames at 25 fps, GOP 25 (two fragments), B-frames, timescale 25000, 4 s into the timeline.
"$bin/ffmpeg" -nostdin -hide_banner -v error -y -f lavfi -i testsrc2=size=64x48:rate=25 -frames:v 50 \
  -c:v libx264 -preset veryfast -crf 40 -profile:v high -level 3.0 -bf 2 -g 25 -keyint_min 25 -sc_threshold 0 \
  -video_track_timescale 25000 -output_ts_offset 4 \
  -f mp4 -movflags +dash+frag_keyframe+delay_moov+frag_discont+skip_trailer chunk-64x48-25fps.mp4
# The audio track as encodeAudio writes it: AAC-LC stereo 48 kHz, 1 s fragments, 2.1 s (a short last fragment).
"$bin/ffmpeg" -nostdin -hide_banner -v error -y -f lavfi -i sine=frequency=440:sample_rate=48000 -af apad -t 2.1 \
  -c:a aac -b:a 32k -ac 2 -ar 48000 -f mp4 -movflags +dash+delay_moov+skip_trailer -frag_duration 1000000 audio-lc-48k-stereo.mp4
# Another AAC object type, rate and layout: AAC Main, mono, 22.05 kHz, 0.5 s (one fragment).
"$bin/ffmpeg" -nostdin -hide_banner -v error -y -f lavfi -i sine=frequency=440:sample_rate=22050 -t 0.5 \
  -c:a aac -profile:a aac_main -b:a 16k -ac 1 -ar 22050 -f mp4 -movflags +dash+delay_moov+skip_trailer -frag_duration 1000000 audio-main-22k-mono.mp4
# A movie with a mov_text (tx3g) track for SubtitleSampleTableTest: 3 s of 64x48 video, the .srt
# below muxed as mov_text in language "eng"; the second file is the same with the text track's
# samples placed 0.5 s later by an empty edit (-itsoffset on the subtitle input), moov first.
printf '1\n00:00:00,480 --> 00:00:01,731\nHello <b>&</b> 3 < 4\n\n2\n00:00:02,010 --> 00:00:02,900\nSecond\n' > tx3g.srt
"$bin/ffmpeg" -nostdin -hide_banner -v error -y -f lavfi -i testsrc2=size=64x48:rate=25 -i tx3g.srt -t 3 -map 0 -map 1 \
  -c:v libx264 -preset veryfast -crf 40 -c:s mov_text -metadata:s:s:0 language=eng movtext-64x48.mp4
"$bin/ffmpeg" -nostdin -hide_banner -v error -y -f lavfi -i testsrc2=size=64x48:rate=25 -itsoffset 0.5 -i tx3g.srt -t 3 -map 0 -map 1 \
  -c:v libx264 -preset veryfast -crf 40 -c:s mov_text -movflags +faststart movtext-delayed-64x48.mp4
rm tx3g.srt
